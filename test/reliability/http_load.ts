/**
 * Concurrent HTTP callers, in a process of their own (so the suite's own
 * event loop does not skew them; Bun's fetch must be allowed that many
 * connections, see `httpLoad`):
 *
 *   bun run test/reliability/http_load.ts '{"port":…,"cookie":…,"node":…,"callers":1000,"ms":30000}'
 *
 * Each caller POSTs `rpc.echo(id)` to `node` through the node on `port`,
 * one after the other, every id unique; it checks the reply is its own id.
 * Prints one JSON line of counts and latencies.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { BUN } from "../support/cluster.ts";

export interface LoadSpec {
  port: number;
  cookie: string;
  node: string;
  callers: number;
  ms: number;
}

export interface LoadResult {
  calls: number;
  ok: number;
  /** Non-ok answers and failed requests, by kind. */
  lost: Record<string, number>;
  /** An ok answer carrying another call's id. */
  mismatched: number;
  /** An id answered more than once. */
  duplicated: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  /** Established connections to the node, at most, sampled each second. */
  connections: number;
  samples: string[];
}

/** Runs the load in a child process; rejects when it does not print its result. */
export async function httpLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = Bun.spawn([BUN, "run", import.meta.path, JSON.stringify(spec)], {
    // Bun's fetch opens at most 256 connections unless told otherwise.
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.max(256, spec.callers + 16)) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), spec.ms + 120_000);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  const line = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`the HTTP load exited ${code}: ${(err || out).slice(-300)}`);
  return JSON.parse(line);
}

/** ESTABLISHED TCP sockets whose local port is `port` (the server's side), from /proc/net/tcp. */
function established(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const f = line.trim().split(/\s+/);
        if (f[1]?.endsWith(`:${hex}`) && f[3] === "01") n++;
      }
    } catch {
      // No IPv6.
    }
  }
  return n;
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const lost: Record<string, number> = {};
  const seen = new Set<string>();
  const samples: string[] = [];
  let calls = 0;
  let ok = 0;
  let mismatched = 0;
  let duplicated = 0;
  let connections = 0;
  const url = `http://127.0.0.1:${spec.port}/rpc`;
  const headers = { authorization: `Bearer ${spec.cookie}`, "content-type": "application/json" };
  const started = Date.now();
  const end = started + spec.ms;
  const counter = setInterval(() => (connections = Math.max(connections, established(spec.port))), 1000);
  const fail = (kind: string, detail: string) => {
    lost[kind] = (lost[kind] ?? 0) + 1;
    if (samples.length < 5) samples.push(`${kind}: ${detail.slice(0, 200)}`);
  };
  const caller = async (c: number) => {
    for (let seq = 0; Date.now() < end; seq++) {
      const id = `${c}-${seq}`;
      const t0 = performance.now();
      calls++;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify({ node: spec.node, module: "rpc", function: "echo", args: [id], timeout: 10_000 }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.json();
        latencies.push(performance.now() - t0);
        if (body.ok === undefined) fail(body.error?.kind ?? `status_${res.status}`, JSON.stringify(body));
        else if (body.ok !== id) {
          mismatched++;
          if (samples.length < 5) samples.push(`mismatch: sent ${id}, got ${JSON.stringify(body.ok)}`);
        } else if (seen.has(id)) duplicated++;
        else {
          seen.add(id);
          ok++;
        }
      } catch (err) {
        fail("fetch", String((err as Error).message ?? err));
      }
    }
  };
  await Promise.all(Array.from({ length: spec.callers }, (_, c) => caller(c)));
  clearInterval(counter);
  const elapsed = (Date.now() - started) / 1000;
  const sorted = latencies.sort((x, y) => x - y);
  const at = (p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : 0;
  return {
    calls,
    ok,
    lost,
    mismatched,
    duplicated,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    perSecond: calls / elapsed,
    connections,
    samples,
  };
}

if (import.meta.main) console.log(JSON.stringify(await main(JSON.parse(process.argv[2]))));
