/**
 * The reference programs of `make bench` (a bare HTTP server, bare
 * WebSocket echo servers and their client, a hello world), run the way the
 * nodes run: compiled by `bun build --compile` for the binary flavor, from
 * source under Bun or Deno otherwise.
 *
 * @module
 */
import { basename, join } from "node:path";
import { BUN, DENO, type Flavor } from "../support/cluster.ts";

/** The argv that runs `entry` as `flavor`'s nodes run; the binary is compiled into `dir`. */
export function runAs(flavor: Flavor, entry: string, dir: string): string[] {
  if (flavor === "deno") return [DENO, "run", "-A", entry];
  if (flavor === "bun") return [BUN, "run", entry];
  const out = join(dir, basename(entry, ".ts"));
  const p = Bun.spawnSync([BUN, "build", "--compile", "--minify", "--bytecode", entry, "--outfile", out], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`bun build --compile of ${basename(entry)} failed: ${p.stderr}`);
  return [out];
}

/**
 * Runs `argv` to its end and resolves with its output; rejects with both
 * outputs when it exits other than 0.
 */
export async function runTool(argv: string[], env?: Record<string, string>, cwd?: string): Promise<string> {
  const p = Bun.spawn(argv, { env, stdout: "pipe", stderr: "pipe", cwd });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${out}${err}`);
  return out;
}

/** A started server: its pid and port, and how to stop it (by pid). */
export interface Listening {
  pid: number;
  port: number;
  stop(): void;
}

/** Starts `argv` and resolves once it prints `port N`; throws when it exits before. */
export async function listening(argv: string[], env: Record<string, string>): Promise<Listening> {
  const p = Bun.spawn(argv, { env, stdout: "pipe", stderr: "inherit" });
  const reader = p.stdout.getReader();
  let text = "";
  while (!/port (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${basename(argv.at(-1) ?? "")} exited before it listened: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { pid: p.pid, port: Number(/port (\d+)/.exec(text)![1]), stop: () => p.kill("SIGTERM") };
}
