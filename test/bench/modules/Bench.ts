// Loaded into a daemon by test/bench/calls.ts: runs the call loops inside the
// node, so the figures are node-to-node, without the CLI or HTTP in the way.
import type { CallContext } from "../../../lib/mod.ts";

function summary(samples: number[], wallMs: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { calls: samples.length, p50_us: at(0.5) * 1000, p99_us: at(0.99) * 1000, calls_per_s: samples.length / (wallMs / 1000) };
}

/** `n` calls of rpc.echo on `target`, one after the other. */
export async function sequential(this: CallContext, target: string, n: number) {
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await this.rpc.callResult(target, "rpc", "echo", ["hello"]);
    if (r.kind !== "ok") throw new Error(`call ${i} failed: ${r.kind}`);
    samples.push(performance.now() - t);
  }
  return summary(samples, performance.now() - start);
}

/** `n` calls of rpc.echo on `target`, `inFlight` at a time. */
export async function concurrent(this: CallContext, target: string, n: number, inFlight: number) {
  const samples: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      const r = await this.rpc.callResult(target, "rpc", "echo", ["hello"]);
      if (r.kind !== "ok") throw new Error(`a call failed: ${r.kind}`);
      samples.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return summary(samples, performance.now() - start);
}
