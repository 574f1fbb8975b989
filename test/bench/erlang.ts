/**
 * The Erlang references of `make bench`: three Erlang nodes on a private
 * epmd port, test/bench/erl/meshbench.erl run from a fourth, `erl_call` timed
 * against the first. Everything it starts is stopped by pid in `stop()`.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, sleep } from "../support/cluster.ts";
import { runTool } from "./programs.ts";
import { WARMUP } from "./warmup.ts";

export interface ErlangRun {
  otp: string;
  rows: Record<string, number>;
  /** OS pids of the peer nodes, the first one idle apart from the benchmark. */
  pids: number[];
  peers: string[];
  cookie: string;
  env: Record<string, string>;
}

/** Why Erlang rows are skipped, or undefined when `erl` and `erlc` are installed. */
export function erlangMissing(): string | undefined {
  return Bun.which("erl") && Bun.which("erlc") && Bun.which("epmd") ? undefined : "skipped (install erlang-nox)";
}

/** Debian's erl_call lives under erl_interface; PATH is tried first. */
export function erlCallPath(): string | undefined {
  const onPath = Bun.which("erl_call");
  if (onPath) return onPath;
  const lib = "/usr/lib/erlang/lib";
  if (!existsSync(lib)) return undefined;
  for (const dir of readdirSync(lib).filter((d) => d.startsWith("erl_interface-")).sort().reverse()) {
    const p = join(lib, dir, "bin/erl_call");
    if (existsSync(p)) return p;
  }
  return undefined;
}

export class Erlang {
  readonly dir: string;
  readonly cookie = `bench${crypto.randomUUID().slice(0, 8)}`;
  readonly env: Record<string, string>;
  readonly peers = ["fuga1@localhost", "fuga2@localhost", "fuga3@localhost"];
  #pids: number[] = [];
  // Set once `run` has given this run its own epmd port: before that, `stop` has nothing to stop.
  #started = false;

  constructor(dir: string) {
    this.dir = join(dir, "erl");
    mkdirSync(this.dir, { recursive: true });
    this.env = { ...(process.env as Record<string, string>), HOME: this.dir };
  }

  #run(argv: string[]): Promise<string> {
    return runTool(argv, this.env, this.dir);
  }

  /** Compiles the module, starts epmd and the peers, runs every row; throws with erl's output on failure. */
  async run(calls: number): Promise<ErlangRun> {
    // A port the kernel just had free (a random one in the ephemeral range can be taken by a connection).
    this.env.ERL_EPMD_PORT = String(await freePort());
    this.#started = true;
    await this.#run(["erlc", "-o", this.dir, join(ROOT, "test/bench/erl/meshbench.erl")]);
    await this.#run(["epmd", "-daemon", "-relaxed_command_check"]);
    for (const peer of this.peers) {
      await this.#run(["erl", "-sname", peer, "-setcookie", this.cookie, "-noshell", "-detached", "-pa", this.dir]);
    }
    return await this.again(calls);
  }

  /** Every row once more, against the peers `run` started (warm-ups included, as the first time). */
  async again(calls: number): Promise<ErlangRun> {
    const p = Bun.spawn(
      [
        ...["erl", "-sname", "hoge@localhost", "-setcookie", this.cookie, "-noshell", "-pa", this.dir, "-run", "meshbench", "main"],
        ...[calls, WARMUP.sequential, WARMUP.casts, WARMUP.multicalls].map(String),
        ...this.peers,
      ],
      { env: this.env, stdout: "pipe", stderr: "pipe", cwd: this.dir },
    );
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const rows: Record<string, number> = {};
    let otp = "?";
    for (const line of out.split("\n")) {
      const [tag, a, b] = line.trim().split(/\s+/);
      if (tag === "pid" && !this.#pids.includes(Number(b))) this.#pids.push(Number(b));
      if (tag === "row") rows[a] = Number(b);
      if (tag === "otp") otp = a;
    }
    if (code !== 0) throw new Error(`the Erlang benchmark exited ${code}: ${out}${err}`);
    return { otp, rows, pids: [...this.#pids], peers: this.peers, cookie: this.cookie, env: this.env };
  }

  /** Stops the peers by pid and this run's epmd. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    if (this.#pids.length < this.peers.length) {
      // The run failed before it named the peers' pids: ask them to stop.
      const list = this.peers.map((p) => `'${p}'`).join(",");
      await this.#run(["erl", "-sname", "stopper@localhost", "-setcookie", this.cookie, "-noshell", "-eval", `[rpc:call(P, init, stop, []) || P <- [${list}]], halt().`]).catch(() => {});
    }
    for (const pid of this.#pids) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    await sleep(200);
    await this.#run(["epmd", "-kill"]).catch(() => {});
  }
}
