/**
 * What one sequential call allocates on the JavaScript heap, both sides
 * together: two nodes in this process, linked over loopback, warmed up;
 * then a full collection, a few hundred calls (too few to start another),
 * and the cells of each type that are new. Garbage made per call shows up
 * as the GC helper threads' CPU in `rounds.ts`.
 *
 *   bun run test/bench/allocations.ts [CALLS]
 */
import { heapStats } from "bun:jsc";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode } from "../../lib/mod.ts";

const calls = Number(process.argv[2] ?? 400);
const dir = mkdtempSync(join(tmpdir(), "mrpc-alloc-"));
const start = (name: string) =>
  startNode({ name: `${name}@localhost`, cookie: "allocations", epmd: false, control: false, listen: "127.0.0.1", runtimeDir: dir });
const a = await start("alloc_a");
const b = await start("alloc_b");
try {
  // The port is needed to dial without a port mapper; the link then answers to the plain name too.
  const call = async (node: string) => {
    const r = await a.callResult(node, "rpc", "echo", ["hello"], { timeoutMs: 60_000 });
    if (r.kind !== "ok") throw new Error(`a call failed: ${JSON.stringify(r)}`);
  };
  await call(`${b.name}:${b.port}`);
  for (let i = 0; i < 30_000; i++) await call(b.name);
  Bun.gc(true);
  const before = heapStats().objectTypeCounts;
  for (let i = 0; i < calls; i++) await call(b.name);
  const after = heapStats().objectTypeCounts;
  const perCall = Object.entries(after)
    .map(([type, n]) => [type, (n - (before[type] ?? 0)) / calls] as const)
    .filter(([, n]) => n >= 0.5)
    .sort((x, y) => y[1] - x[1]);
  console.log(`cells per call, both sides (${calls} calls):`);
  for (const [type, n] of perCall) console.log(`  ${type.padEnd(24)} ${n.toFixed(1)}`);
} finally {
  await a.stop();
  await b.stop();
  rmSync(dir, { recursive: true, force: true });
}
