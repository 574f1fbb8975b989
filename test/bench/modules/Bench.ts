// Loaded into the daemons by test/bench/run.ts: the call loops run inside a
// node, so the figures are node-to-node, without the CLI or HTTP in the way.
// The Erlang twin is test/bench/erl/meshbench.erl.
import type { CallContext } from "../../../lib/mod.ts";

/** Seconds taken by `fn`. */
async function seconds(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** A value of about `size` bytes: "hello", or random bytes. */
function payload(size: number): string | Uint8Array {
  if (size <= 5) return "hello";
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  return bytes;
}

async function echo(ctx: CallContext, target: string, value: string | Uint8Array): Promise<void> {
  const r = await ctx.rpc.callResult(target, "rpc", "echo", [value], { timeoutMs: 60_000 });
  if (r.kind !== "ok") throw new Error(`a call failed: ${r.kind}`);
  const back = r.value as string | Uint8Array;
  if (back.length !== value.length) throw new Error(`echo answered ${back.length} bytes, sent ${value.length}`);
}

/** Seconds for `n` sequential echoes of a `size`-byte payload on `target`. */
export async function sequential(this: CallContext, target: string, n: number, size = 0) {
  const value = payload(size);
  return await seconds(async () => {
    for (let i = 0; i < n; i++) await echo(this, target, value);
  });
}

/** Seconds for `n` echoes of "hello" on `target`, `inFlight` at a time. */
export async function concurrent(this: CallContext, target: string, n: number, inFlight: number) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await echo(this, target, "hello");
    }
  };
  return await seconds(() => Promise.all(Array.from({ length: inFlight }, worker)).then(() => {}));
}

let ticks = 0;

/** One cast's work: count it. */
export function tick() {
  ticks++;
}

/** How many ticks arrived since the last reset. */
export function count() {
  return ticks;
}

export function reset() {
  ticks = 0;
}

/** Casts executed per second: `n` casts of Bench.tick, timed until `target` counted them all. */
export async function casts(this: CallContext, target: string, n: number) {
  await this.rpc.call(target, "Bench", "reset", []);
  const s = await seconds(async () => {
    for (let i = 0; i < n; i++) await this.rpc.cast(target, "Bench", "tick", []);
    while ((await this.rpc.call<number>(target, "Bench", "count", [])) < n) await new Promise((r) => setTimeout(r, 1));
  });
  return n / s;
}

/** Seconds for `n` sequential multicalls of rpc.echo("hello") over `nodes`. */
export async function multicalls(this: CallContext, nodes: string[], n: number) {
  return await seconds(async () => {
    for (let i = 0; i < n; i++) {
      const results = await this.rpc.multicall("rpc", "echo", ["hello"], { nodes });
      if (results.some((r) => r.result.kind !== "ok")) throw new Error("a multicall failed");
    }
  });
}
