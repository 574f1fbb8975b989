/**
 * Wall-clock helpers of `make bench`: the CLI row (a command's start to exit)
 * and the idle RSS row (/proc/PID/status); and the CPU a process used, for
 * the profiling scripts beside it (/proc/PID/stat).
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, type Flavor, sleep } from "../support/cluster.ts";
import { bytesToHex } from "../../lib/codec/binary_text.ts";
import { runAs } from "./programs.ts";
import { statFields, threadStats } from "../support/proc.ts";

/** The middle value (the upper one of the two middle values for an even count). */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** A command to time: its argv and environment. */
export interface Timed {
  argv: string[];
  env: Record<string, string>;
}

/**
 * Median wall time in ms of `n` runs of each command, taken in turns (a, b,
 * a, b, ...) so that every command sees the machine in the same state;
 * throws with its output when a run fails.
 */
export async function medianWallMs(commands: Timed[], n: number): Promise<number[]> {
  const times = commands.map((): number[] => []);
  for (let i = 0; i < n; i++) {
    for (const [k, { argv, env }] of commands.entries()) {
      const t = performance.now();
      const p = Bun.spawn(argv, { env, stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      times[k].push(performance.now() - t);
      if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${out}${err}`);
    }
  }
  return times.map(median);
}

/** The CLI's reference: a hello world, run as the nodes run (`runAs`). */
export function helloWorld(flavor: Flavor, dir: string): string[] {
  const src = join(dir, "hello.ts");
  writeFileSync(src, 'console.log("hello");\n');
  return runAs(flavor, src, dir);
}

/**
 * The CLI row's floor (cli_floor.ts), run as the nodes run: lstat, then
 * `request` (CBOR) POSTed to `/call` on the control socket `socket`.
 */
export function cliFloor(flavor: Flavor, dir: string, socket: string, request: Uint8Array): string[] {
  return [...runAs(flavor, join(import.meta.dir, "cli_floor.ts"), dir), socket, bytesToHex(request)];
}

/**
 * User+system CPU milliseconds `pid` has used so far (fields 14 and 15 of
 * /proc/PID/stat, in clock ticks of 1/100 s). Throws when the process is gone.
 */
export function cpuMs(pid: number): number {
  return ticksMs(statFields(pid));
}

function ticksMs(fields: string[]): number {
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU time of `pid` in ms by thread name, numbered threads together
 * (`JITWorker1` and `JITWorker2` count as `JITWorker`); threads that have
 * ended are not counted. Throws when the process is gone.
 */
export function cpuMsByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const { name, fields } of threadStats(pid)) {
    const group = name.replace(/\d+$/, "");
    byName.set(group, (byName.get(group) ?? 0) + ticksMs(fields));
  }
  return byName;
}

/**
 * Resident memory of `pid` in bytes: VmRSS, and its anonymous part (heaps)
 * and file part (pages of the executable, shared by every node started from
 * it). Throws when the process is gone.
 */
export function rssOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
}

type Rss = { rss: number; anon: number; file: number };

/**
 * An idle node's resident memory, 1 s after its start, with its executable in
 * each of two states of the page cache, since the kernel holds the same
 * bytes differently and a page fault maps the neighbouring cached pages too
 * (7–8 MiB more RssFile, PROFILE.md): `written`, a copy of `binary` just
 * written into `dir` (as `make build` or a copy leaves it); `fromDisk`,
 * that copy after its page cache was dropped (`dd iflag=nocache`), read back
 * from disk as after a reboot. Each time a port mapper and one node run from
 * the copy. Throws when dd fails.
 */
export async function idleRss(binary: string, dir: string): Promise<{ written: Rss; fromDisk: Rss }> {
  const copy = join(dir, "meshrpc-idle");
  writeFileSync(copy, readFileSync(binary), { mode: 0o755 });
  const written = await idleNode(copy);
  const dd = Bun.spawnSync(["dd", `if=${copy}`, "iflag=nocache", "count=0"], { stdout: "pipe", stderr: "pipe" });
  if (dd.exitCode !== 0) throw new Error(`dd iflag=nocache could not drop the page cache of ${copy}: ${dd.stderr}`);
  return { written, fromDisk: await idleNode(copy) };
}

async function idleNode(binary: string): Promise<Rss> {
  const cluster = new Cluster({ flavor: "binary", binary });
  try {
    const node = await cluster.start("idle@localhost");
    await sleep(1000);
    return rssOf(node.pid);
  } finally {
    await cluster.cleanup();
  }
}
