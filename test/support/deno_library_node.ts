/**
 * A Deno program that is a node, through the library (`lib/mod.ts`), for
 * test/integration/library.test.ts:
 *
 *   deno run -A --config deno.json test/support/deno_library_node.ts \
 *     --name N --cookie C --epmd-port P --runtime-dir D --join NODE
 *
 * Registers a `Greeter` module, joins NODE, prints `ready N port=PORT`, then
 * calls NODE once and prints `called {json}`. On SIGTERM it stops the node
 * and prints `stopped N` before exiting 0.
 */
import { type CallContext, startNode, type Value } from "../../lib/mod.ts";

function flag(name: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  const value = i >= 0 ? Deno.args[i + 1] : undefined;
  if (value === undefined) {
    console.error(`deno_library_node: --${name} is required`);
    Deno.exit(2);
  }
  return value;
}

const short = (node: string) => node[0].toUpperCase() + node.slice(1, node.indexOf("@"));

const peer = flag("join");
const node = await startNode({
  name: flag("name"),
  cookie: flag("cookie"),
  listen: "127.0.0.1",
  epmdPort: Number(flag("epmd-port")),
  runtimeDir: flag("runtime-dir"),
  control: false,
  join: [peer],
});

node.register("Greeter", {
  hello(this: CallContext, other: string): string {
    return `Hello, ${short(other)}! This is ${this.self} on ${"Deno" in globalThis ? "deno" : "?"}, called by ${this.caller}.`;
  },
  fail(message: string): never {
    throw new Error(message);
  },
});

Deno.addSignalListener("SIGTERM", async () => {
  await node.stop();
  console.log(`stopped ${node.name}`);
  Deno.exit(0);
});

console.log(`ready ${node.name} port=${node.port}`);

const info = await node.call<Record<string, Value>>(peer, "system", "info");
// A typed call: Deno checks it against the module's source.
const hello: string = await node.module<typeof import("../fixtures/modules/Person.ts")>(peer, "Person").say_hello(node.name);
console.log(`called ${JSON.stringify({ node: info.node, runtime: info.runtime, pid: info.pid, hello })}`);
