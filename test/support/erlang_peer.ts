/**
 * Real Erlang/Elixir peers for the distribution tests: an epmd of the test's
 * own on a free port, Elixir nodes started from a source file, one-shot
 * Elixir probes, and child processes that print lines; everything started is
 * stopped by pid.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as net from "node:net";

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A started child, its output collected; `lines` waits for a line matching a pattern. */
export class Child {
  readonly proc: ChildProcess;
  out = "";
  err = "";
  #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(argv: string[], env: Record<string, string>) {
    this.proc = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d) => {
      this.out += d;
      for (const w of this.#waiters.splice(0)) w();
    });
    this.proc.stderr!.on("data", (d) => (this.err += d));
    this.exited = new Promise((r) => this.proc.on("exit", (code) => r(code)));
  }

  /** Resolves the first stdout line matching `re`; rejects after `ms` with what was printed. */
  async line(re: RegExp, ms = 20_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.out.split("\n").find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (Date.now() > until) throw new Error(`no line ${re} within ${ms} ms; stdout:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** Sends a signal by pid (no-op once exited) and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}

/** `epmd -names` on the test's port: the names registered. */
export function epmdNames(port: number): string {
  return spawnSync("epmd", ["-port", String(port), "-names"], { encoding: "utf8" }).stdout ?? "";
}

/**
 * Starts `epmd -port P` in the foreground (stop it by the Child) and waits
 * until it answers: an `erl` started before that would run an `epmd -daemon`
 * of its own, which no test would stop.
 */
export async function startEpmd(port: number): Promise<Child> {
  const c = new Child(["epmd", "-port", String(port)], {});
  for (let i = 0; !/up and running/.test(epmdNames(port)); i++) {
    if (i === 100) {
      await c.stop("SIGKILL");
      throw new Error(`epmd did not answer on port ${port}: ${c.err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return c;
}

/** Waits until `name` is registered with the epmd on `port`. */
export async function registered(port: number, name: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!new RegExp(`name ${name} at port`).test(epmdNames(port))) {
    if (Date.now() > until) throw new Error(`${name} did not register with epmd on ${port}: ${epmdNames(port)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs an Elixir script as a short-lived node `name` and returns its stdout; rejects on a non-zero exit. */
export async function elixirProbe(name: string, cookie: string, epmdPort: number, script: string): Promise<string> {
  const c = new Child(["elixir", "--sname", name, "--cookie", cookie, "-e", script], { ERL_EPMD_PORT: String(epmdPort) });
  const timer = setTimeout(() => c.proc.kill("SIGKILL"), 30_000);
  const code = await c.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`elixir probe exited ${code}:\n${c.out}\n${c.err}`);
  return c.out;
}

/** The Elixir modules the tests call: Person (say_hello, boom, slow) and Relay (calls back). */
export const PERSON_EX = `
defmodule Person do
  def say_hello(o), do: "Hello, #{n(node())}! My name is #{n(o)}."
  defp n(x), do: x |> Atom.to_string() |> String.split("@") |> hd() |> String.capitalize()
  def boom, do: raise("boom")
  def slow(ms), do: (:timer.sleep(ms); :slept)
  def slow_named(name, ms), do: (Process.register(self(), name); :timer.sleep(ms); :slept)
end
defmodule Relay do
  def ask_back(ts), do: :erpc.call(ts, Person, :say_hello, [node()])
end
`;

/** Starts Elixir node `name@localhost` with the modules of `file` loaded; resolves once it is registered and loaded. */
export async function startElixir(name: string, cookie: string, epmdPort: number, file: string, erlFlags?: string): Promise<Child> {
  const erl = erlFlags ? ["--erl", erlFlags] : [];
  const c = new Child(["elixir", "--sname", `${name}@localhost`, "--cookie", cookie, ...erl, "--no-halt", "-r", file, "-e", 'IO.puts("loaded")'], {
    ERL_EPMD_PORT: String(epmdPort),
  });
  try {
    // It registers with epmd before it loads the modules: wait for both.
    await c.line(/^loaded$/);
    await registered(epmdPort, name);
  } catch (err) {
    await c.stop("SIGKILL");
    throw err;
  }
  return c;
}
