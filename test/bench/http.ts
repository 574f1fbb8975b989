/**
 * The `POST /rpc` row of `make bench`: wrk with 64 connections against a
 * node's /rpc (rpc.echo answered locally) and against a bare server doing the
 * same JSON work (bare_server.ts), one after the other in the same run.
 *
 * @module
 */
import { join } from "node:path";
import { type Flavor, ROOT } from "../support/cluster.ts";
import { listening, type Listening, runAs } from "./programs.ts";

export function wrkMissing(): string | undefined {
  return Bun.which("wrk") ? undefined : "skipped (install wrk)";
}

/** Requests per second wrk reaches against `url`; throws when any answer is not 2xx. */
export async function wrk(url: string, cookie: string, seconds: number): Promise<number> {
  const p = Bun.spawn(["wrk", "-t2", "-c64", `-d${seconds}s`, "-s", join(ROOT, "test/bench/post.lua"), url], {
    env: { ...(process.env as Record<string, string>), BENCH_COOKIE: cookie },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (bad) throw new Error(`wrk against ${url}: ${bad[1]} answers were not 2xx`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk against ${url} printed no Requests/sec: ${out}${err}`);
  return Number(rps[1]);
}

/**
 * Starts bare_server.ts as the nodes run (`runAs`). Resolves with its pid,
 * port and a stop function; throws when it exits before it listens.
 */
export function bareServer(flavor: Flavor, cookie: string, dir: string): Promise<Listening> {
  const argv = runAs(flavor, join(ROOT, "test/bench/bare_server.ts"), dir);
  return listening(argv, { ...(process.env as Record<string, string>), BENCH_COOKIE: cookie });
}
