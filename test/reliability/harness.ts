/**
 * What the scenarios share: a cluster of compiled daemons whose port mapper
 * pid is known too, memory sampling from /proc, HTTP calls with a deadline,
 * and percentiles.
 *
 * @module
 */
import { join } from "node:path";
import { Cluster, FIXTURES, freePort, type NodeProc, programOf, sleep, waitFor } from "../support/cluster.ts";
import { rssOf } from "../support/raw_ws.ts";

export const MODULES = join(FIXTURES, "reliability");

export interface Mesh {
  cluster: Cluster;
  epmd: { pid: number; port: number; logBytes(): number };
  nodes: NodeProc[];
}

/**
 * Starts a port mapper (its pid kept, for its RSS) and `names` as compiled
 * daemons (`dist/meshrpc`, from `make build`) with the fixture modules.
 * Throws when one does not start; the caller must `cluster.cleanup()` in any case.
 */
export async function startMesh(cluster: Cluster, names: string[]): Promise<Mesh> {
  cluster.epmdPort = await freePort();
  const proc = Bun.spawn([...programOf("binary"), "epmd", "--port", String(cluster.epmdPort), "--listen", "127.0.0.1"], {
    env: cluster.env(),
    stdout: "ignore",
    stderr: "pipe",
  });
  cluster.track(proc.pid);
  let logBytes = 0;
  (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) logBytes += chunk.length;
  })().catch(() => {});
  await waitFor(`the port mapper on ${cluster.epmdPort}`, async () => {
    if (proc.exitCode !== null) throw new Error(`the port mapper exited ${proc.exitCode}`);
    try {
      return (await fetch(`http://127.0.0.1:${cluster.epmdPort}/health`)).ok;
    } catch {
      return false;
    }
  });
  const nodes: NodeProc[] = [];
  for (const name of names) nodes.push(await cluster.start(name, { args: ["--modules", MODULES] }));
  return { cluster, epmd: { pid: proc.pid, port: cluster.epmdPort, logBytes: () => logBytes }, nodes };
}

const live = new Set<Cluster>();

/** A new cluster of compiled daemons; `run` gets it and it is always cleaned up. */
export async function withMesh<T>(names: string[], run: (m: Mesh) => Promise<T>): Promise<T> {
  const cluster = new Cluster({ flavor: "binary" });
  live.add(cluster);
  try {
    return await run(await startMesh(cluster, names));
  } finally {
    live.delete(cluster);
    await cluster.cleanup();
  }
}

/** Stops every cluster still running (a scenario that overran its time, or an interrupted run). */
export async function cleanupAll(): Promise<void> {
  const clusters = [...live];
  live.clear();
  await Promise.all(clusters.map((c) => c.cleanup()));
}

/** RSS of `pid`, 0 when it is gone. */
export function rss(pid: number): number {
  try {
    return rssOf(pid);
  } catch {
    return 0;
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped; keeps each one's peak. */
export function sampleRss(pids: number[], everyMs = 50): { peaks: number[]; stop(): number[] } {
  const peaks = pids.map(rss);
  const timer = setInterval(() => pids.forEach((p, i) => (peaks[i] = Math.max(peaks[i], rss(p)))), everyMs);
  return {
    peaks,
    stop() {
      clearInterval(timer);
      pids.forEach((p, i) => (peaks[i] = Math.max(peaks[i], rss(p))));
      return peaks;
    },
  };
}

/**
 * Waits until the RSS of `pid` is at most `target` or `maxMs` passed.
 * Returns the last RSS read and how long it took (`maxMs` when it never got there).
 */
export async function settle(pid: number, target: number, maxMs: number): Promise<{ rss: number; ms: number }> {
  const started = Date.now();
  for (;;) {
    const now = rss(pid);
    if (now <= target) return { rss: now, ms: Date.now() - started };
    if (Date.now() - started >= maxMs) return { rss: now, ms: maxMs };
    await sleep(250);
  }
}

/** RSS after the node has been idle for `ms` (what "idle RSS" means here). */
export async function idleRss(pid: number, ms = 1500): Promise<number> {
  await sleep(ms);
  return rss(pid);
}

// deno-lint-ignore no-explicit-any -- the answers are arbitrary JSON
export type Answer = { status: number; body: any };

/**
 * POSTs one call to a node's /rpc. Never rejects: a failed fetch becomes
 * status 0 with `{error: {kind: "fetch", message}}`.
 */
export async function httpCall(
  port: number,
  cookie: string,
  call: { node: string; module: string; function: string; args: unknown[]; timeout?: number },
  deadlineMs = 60_000,
): Promise<Answer> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${cookie}`, "content-type": "application/json" },
      body: JSON.stringify(call),
      signal: AbortSignal.timeout(deadlineMs),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: { error: { kind: "unparsable", message: text.slice(0, 200) } } };
    }
  } catch (err) {
    return { status: 0, body: { error: { kind: "fetch", message: String((err as Error).message ?? err) } } };
  }
}

/** The p-th percentile (0–100) of some numbers; 0 for none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts of each string. */
export function tally(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** `{a: 2, b: 1}` as "a=2 b=1", or "none". */
export function kinds(t: Record<string, number>): string {
  const parts = Object.entries(t).map(([k, n]) => `${k}=${n}`);
  return parts.length ? parts.join(" ") : "none";
}
