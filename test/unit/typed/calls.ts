/**
 * Type checks of the library's typed calls, run by `deno check` from
 * test/unit/typed_module.test.ts (never executed): each
 * `@ts-expect-error` line must be an error, or the check fails.
 */
import type { CallContext, MeshNode, NodeEvent, NodeResult, RemoteModule } from "../../../lib/mod.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_ extends true>(): void {}

declare const node: MeshNode;
type Shapes = typeof import("./shapes.ts");

export async function typedCalls(): Promise<void> {
  const shapes = node.module<Shapes>("a@localhost", "shapes", { timeoutMs: 100, signal: AbortSignal.timeout(50) });

  // Methods are the exported functions, without `this`, resolving with what they return (awaited).
  assertType<Equal<keyof typeof shapes, "greet" | "total" | "nothing" | "double">>();
  assertType<Equal<typeof shapes.greet, (who: string, times?: number) => Promise<string>>>();
  assertType<Equal<typeof shapes.total, (xs: number[]) => Promise<number>>>();
  assertType<Equal<typeof shapes.nothing, () => Promise<void>>>();
  assertType<Equal<typeof shapes, RemoteModule<Shapes>>>();
  const hello: string = await shapes.greet("hoge@localhost");
  const twice: string = await shapes.greet("hoge@localhost", 2);
  const sum: number = await shapes.total([1, 2, 3]);
  const doubled: number = await shapes.double(21);
  void [hello, twice, sum, doubled];

  // @ts-expect-error a wrong argument type
  await shapes.greet(42);
  // @ts-expect-error a missing argument
  await shapes.greet();
  // @ts-expect-error one argument too many
  await shapes.total([1], 2);
  // @ts-expect-error a wrong element type
  await shapes.total(["1"]);
  // @ts-expect-error the value is a string, not a number
  const wrong: number = await shapes.greet("x");
  void wrong;
  // @ts-expect-error a constant is not a method
  void shapes.VERSION;
  // @ts-expect-error a class is not a method
  void shapes.Thing;
  // @ts-expect-error a function the module does not export
  await shapes.nope();
}

/** Module functions get the same `module()` through `this.rpc`. */
export function relay(this: CallContext): Promise<number> {
  return this.rpc.module<Shapes>("b@localhost", "shapes").total([1, 2]);
}

export async function options(signal: AbortSignal): Promise<void> {
  const rows: NodeResult[] = await node.multicall("system", "info", [], { nodes: ["a@localhost"], timeoutMs: 1000, signal });
  const all: NodeResult[] = await node.multicall("node", "self");
  void [rows, all];
  // @ts-expect-error the nodes are an option now, not the first argument
  await node.multicall(["a@localhost"], "node", "self");
  // @ts-expect-error a signal is an AbortSignal
  await node.call("a@localhost", "node", "self", [], { signal: true });

  for await (const e of node.events({ signal, buffer: 10 })) {
    const event: NodeEvent = e;
    if (e.type === "nodedown") void e.reason;
    void event;
  }
  const disposable: AsyncDisposable = node;
  void disposable;
}

/** `await using` is accepted by Deno's checker (Bun runs it in library.test.ts). */
export async function scoped(start: () => Promise<MeshNode>): Promise<string> {
  await using scopedNode = await start();
  return scopedNode.name;
}
