/**
 * A TypeScript node that joins Erlang distribution, runnable under Bun and
 * Deno alike, for test/integration/erlang_dist.test.ts:
 *
 *   bun test/support/erlang_ts_node.ts NAME COOKIE EPMD_PORT RUNTIME_DIR [ELIXIR_NODE]
 *
 * Registers `Person` (say_hello), `Boom` (boom: throws) and `Talk` (puts:
 * prints), prints `ready NAME`, then, given ELIXIR_NODE, calls it and prints
 * one `result LABEL {json}` line per call, then `done`. Stops on SIGTERM.
 */
import { Atom, type CallContext, startNode } from "../../lib/mod.ts";

const args = "Deno" in globalThis ? (globalThis as unknown as { Deno: { args: string[] } }).Deno.args : process.argv.slice(2);
const [name, cookie, epmdPort, runtimeDir, elixir] = args;
const short = (n: string) => n.split("@")[0].replace(/^./, (c) => c.toUpperCase());

const node = await startNode({
  name,
  cookie,
  erlang: true,
  erlangEpmdPort: Number(epmdPort),
  epmd: false,
  control: false,
  listen: "127.0.0.1",
  runtimeDir,
});
node.register("Person", {
  say_hello(this: CallContext, other: string) {
    return `Hello, ${short(`${other}`)}! My name is ${short(this.self)}.`;
  },
});
node.register("Boom", {
  boom() {
    throw new Error("boom");
  },
  toss() {
    throw "oops";
  },
});
node.register("Slow", {
  /** Waits until the caller gives up (its DEMONITOR aborts `this.signal`). */
  wait(this: CallContext) {
    return new Promise((_, reject) =>
      this.signal.addEventListener("abort", () => {
        console.log("aborted");
        reject(this.signal.reason);
      })
    );
  },
});
node.register("Talk", {
  puts(text: string) {
    console.log(`printed ${text}`);
    return "said";
  },
});
const stop = async () => {
  await node.stop();
  console.log("stopped");
  if ("Deno" in globalThis) (globalThis as unknown as { Deno: { exit(c: number): never } }).Deno.exit(0);
  else process.exit(0);
};
if ("Deno" in globalThis) (globalThis as unknown as { Deno: { addSignalListener(s: string, f: () => void): void } }).Deno.addSignalListener("SIGTERM", stop);
else process.on("SIGTERM", stop);
console.log(`ready ${node.name}`);

if (elixir) {
  const me = new Atom(node.name);
  const calls: [string, () => Promise<unknown>][] = [
    ["ping", () => node.ping(elixir)],
    ["hello", () => node.callResult(elixir, "Elixir.Person", "say_hello", [me])],
    ["raise", () => node.callResult(elixir, "Elixir.Person", "boom", [])],
    ["undef", () => node.callResult(elixir, "Elixir.Person", "nope", [])],
    ["timeout", () => node.callResult(elixir, "timer", "sleep", [2000], { timeoutMs: 200 })],
    ["puts", () => node.callResult(elixir, "Elixir.IO", "puts", ["from ts"])],
    ["relay", () => node.callResult(elixir, "Elixir.Relay", "ask_back", [me])],
    ["nodes", () => Promise.resolve(node.nodes())],
  ];
  for (const [label, call] of calls) console.log(`result ${label} ${JSON.stringify(await call())}`);
  console.log("done");
}
