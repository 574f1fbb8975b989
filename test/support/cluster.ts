/**
 * Real daemons for scenario tests: each Cluster has its own runtime
 * directory, its own port mapper port and cookie, and stops every process it
 * started (by pid) in `cleanup()`, which tests call from afterEach/afterAll.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "..", "..");
export const BUN = join(ROOT, "node_modules/.bin/bun");
export const DENO = join(ROOT, "node_modules/.bin/deno");
// MESHRPC_BENCH_BINARY runs another build (A/B comparisons in test/bench).
export const BINARY = process.env.MESHRPC_BENCH_BINARY ?? join(ROOT, "dist/meshrpc");
export const ENTRY = join(ROOT, "cmd/meshrpc.ts");
export const FIXTURES = join(ROOT, "test/fixtures");

/** How the meshrpc program is run: from source under Bun or Deno, or the compiled binary. */
export type Flavor = "bun" | "deno" | "binary";
export const FLAVORS: Flavor[] = ["bun", "binary", "deno"];

export function programOf(flavor: Flavor): string[] {
  switch (flavor) {
    case "bun":
      return [BUN, "run", ENTRY];
    case "deno":
      return [DENO, "run", "-A", "--config", join(ROOT, "deno.json"), ENTRY];
    case "binary":
      return [BINARY];
  }
}

/** A port nobody listens on right now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 25 ms until it returns a truthy value; throws with `what` after `ms`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NodeProc {
  name: string;
  pid: number;
  port: number;
  socket: string;
  flavor: Flavor;
  proc: Subprocess;
  /** Everything the node wrote on stderr so far (its log). */
  log(): string;
}

export interface StartOptions {
  flavor?: Flavor;
  cookie?: string;
  /** Extra flags for `meshrpc start`. */
  args?: string[];
  env?: Record<string, string>;
}

/** Collects a stream into a string that grows as data arrives. */
function collect(stream: ReadableStream<Uint8Array> | undefined): { text(): string; done: Promise<void> } {
  let text = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    if (!stream) return;
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })().catch(() => {});
  return { text: () => text, done };
}

export class Cluster {
  readonly dir: string;
  readonly cookie: string;
  readonly flavor: Flavor;
  epmdPort = 0;
  readonly nodes: NodeProc[] = [];
  #procs = new Set<Subprocess>();
  /** This cluster's own port mappers: stopped last, as systemd orders the units. */
  #mappers = new Set<Subprocess>();
  #extraPids = new Set<number>();
  #binary?: string;

  /** `binary`: the executable for the binary flavor, when not dist/meshrpc (MESHRPC_BENCH_BINARY). */
  constructor(options: { flavor?: Flavor; cookie?: string; binary?: string } = {}) {
    this.flavor = options.flavor ?? "bun";
    this.#binary = options.binary;
    this.cookie = options.cookie ?? "test-cookie-" + crypto.randomUUID().slice(0, 8);
    // Short: Unix socket paths must stay under 108 bytes.
    this.dir = mkdtempSync(join(tmpdir(), "mrpc-"));
  }

  /** The environment every process of this cluster gets. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      MESHRPC_RUNTIME_DIR: this.dir,
      MESHRPC_EPMD_PORT: String(this.epmdPort),
      MESHRPC_COOKIE: "",
      MESHRPC_NODE: "",
      HOME: this.dir,
      ...extra,
    };
  }

  /** Starts this cluster's own port mapper on a free port (127.0.0.1 only). */
  async startEpmd(flavor: Flavor = this.flavor): Promise<number> {
    this.epmdPort = await freePort();
    const proc = Bun.spawn([...this.#program(flavor), "epmd", "--port", String(this.epmdPort), "--listen", "127.0.0.1"], {
      env: this.env(),
      stdout: "ignore",
      stderr: "pipe",
    });
    this.#procs.add(proc);
    this.#mappers.add(proc);
    const err = collect(proc.stderr as ReadableStream<Uint8Array>);
    await waitFor(`the port mapper on ${this.epmdPort} (${err.text()})`, async () => {
      if (proc.exitCode !== null) throw new Error(`epmd exited ${proc.exitCode}: ${err.text()}`);
      try {
        return (await fetch(`http://127.0.0.1:${this.epmdPort}/health`)).ok;
      } catch {
        return false;
      }
    });
    return this.epmdPort;
  }

  /** Starts `meshrpc start` in the foreground and waits until its control socket answers. */
  async start(name: string, options: StartOptions = {}): Promise<NodeProc> {
    if (!this.epmdPort) await this.startEpmd();
    const flavor = options.flavor ?? this.flavor;
    const argv = [
      ...this.#program(flavor),
      "start",
      "--sname",
      name,
      "--cookie",
      options.cookie ?? this.cookie,
      "--listen",
      "127.0.0.1",
      ...(options.args ?? []),
    ];
    const proc = Bun.spawn(argv, { env: this.env(options.env), stdout: "pipe", stderr: "pipe" });
    this.#procs.add(proc);
    const err = collect(proc.stderr as ReadableStream<Uint8Array>);
    collect(proc.stdout as ReadableStream<Uint8Array>);
    const socket = join(this.dir, `${name}.sock`);
    const started = await waitFor(`node ${name} to start`, () => {
      if (proc.exitCode !== null) throw new Error(`node ${name} exited ${proc.exitCode}:\n${err.text()}`);
      return /\bstart node=\S+ port=(\d+)/.exec(err.text());
    }, 20_000);
    const node: NodeProc = { name, pid: proc.pid, port: Number(started[1]), socket, flavor, proc, log: err.text };
    this.nodes.push(node);
    return node;
  }

  #program(flavor: Flavor): string[] {
    return flavor === "binary" && this.#binary ? [this.#binary] : programOf(flavor);
  }

  /** Runs the CLI with this cluster's environment. */
  async cli(args: string[], options: { flavor?: Flavor; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    const proc = Bun.spawn([...this.#program(options.flavor ?? this.flavor), ...args], {
      env: this.env(options.env),
      stdout: "pipe",
      stderr: "pipe",
    });
    this.#procs.add(proc);
    const timer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout as ReadableStream).text(),
      new Response(proc.stderr as ReadableStream).text(),
      proc.exited,
    ]);
    clearTimeout(timer);
    this.#procs.delete(proc);
    return { code, stdout, stderr };
  }

  /** POSTs a JSON body to a node's /rpc with this cluster's cookie. */
  // deno-lint-ignore no-explicit-any -- tests read arbitrary JSON answers
  async rpc(port: number, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${port}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.cookie}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Also stop this pid in cleanup (a process a test learned of, e.g. a detached node). */
  track(pid: number): void {
    this.#extraPids.add(pid);
  }

  /**
   * Stops every process this cluster started: SIGTERM, then SIGKILL; removes
   * the directory. Nodes go first and the port mapper last: a node whose
   * mapper went away first would start a stand-in mapper of its own, which
   * would outlive the test.
   */
  async cleanup(): Promise<void> {
    const mappers = [...this.#procs].filter((p) => this.#mappers.has(p));
    await stopAll([...this.#procs].filter((p) => !this.#mappers.has(p)), [...this.#extraPids]);
    // A node whose mapper was gone (a test killed it) started a stand-in, detached, that the node's log names.
    await stopAll(mappers, this.nodes.flatMap((n) => standInMappers(n.log(), this.epmdPort)));
    this.#procs.clear();
    this.#mappers.clear();
    this.#extraPids.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function signal(pid: number, sig: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, up to 5 s to exit, then SIGKILL. */
/** Pids of the mappers a node's log says it started on `epmdPort`, that are still mappers on that port. */
function standInMappers(log: string, epmdPort: number): number[] {
  const pids = [...log.matchAll(/epmd_start\b[^\n]*?\bpid[=":]+(\d+)/g)].map((m) => Number(m[1]));
  return pids.filter((pid) => {
    try {
      // Not a pid reused since by something else: its command line names the mapper and the port.
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return argv.includes("epmd") && argv.includes(String(epmdPort));
    } catch {
      return false;
    }
  });
}

async function stopAll(procs: Subprocess[], pids: number[]): Promise<void> {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + 5000;
  for (const p of procs) {
    await Promise.race([p.exited, sleep(Math.max(0, deadline - Date.now()))]);
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  }
  for (const pid of pids) signal(pid, "SIGKILL");
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}
