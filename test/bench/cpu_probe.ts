/**
 * CPU time per operation on both sides of a link, for A/B comparisons on a
 * busy machine: wall time swings with the load, the CPU a call costs each
 * process much less. Four daemons (dist/meshrpc, or MESHRPC_BENCH_BINARY),
 * the loops of test/bench/modules/Bench.ts, user+system time from /proc.
 *
 *   [FLAVOR=bun|deno|binary] bun run test/bench/cpu_probe.ts [small] [64k] [1m] [c64] [cast] [multi]
 *
 * FLAVOR picks how the daemons run (default: the compiled binary); bun and
 * deno run this worktree's sources.
 */
import { Cluster, FLAVORS, type Flavor, sleep } from "../support/cluster.ts";
import { startBenchNodes } from "./bench_nodes.ts";
import { cpuMs } from "./wall.ts";

const flavor = (process.env.FLAVOR ?? "binary") as Flavor;
if (!FLAVORS.includes(flavor)) throw new Error(`FLAVOR must be one of ${FLAVORS.join(", ")}, got ${flavor}`);
const cluster = new Cluster({ flavor });
try {
  const { nodes: all, run: bench } = await startBenchNodes(cluster);
  await sleep(500);
  const run = async (label: string, fn: string, args: unknown[], n: number) => {
    const before = all.map((x) => cpuMs(x.pid));
    const started = performance.now();
    await bench(fn, args);
    const us = (ms: number) => (ms * 1000 / n).toFixed(1);
    const used = all.map((x, i) => us(cpuMs(x.pid) - before[i]));
    console.log(`${label.padEnd(12)} wall ${us(performance.now() - started).padStart(8)} µs/op   cpu a ${used[0]} b ${used[1]} c ${used[2]} d ${used[3]} µs/op`);
  };
  const want = new Set(process.argv.slice(2));
  await run("warm-up", "concurrent", ["b@localhost", 20000, 16], 20000);
  if (want.has("small")) await run("small", "sequential", ["b@localhost", 10000], 10000);
  if (want.has("64k")) await run("64 KiB", "sequential", ["b@localhost", 1000, 65536], 1000);
  if (want.has("1m")) await run("1 MiB", "sequential", ["b@localhost", 200, 1048576], 200);
  if (want.has("c64")) await run("64 in flight", "concurrent", ["b@localhost", 40000, 64], 40000);
  if (want.has("cast")) await run("casts", "casts", ["b@localhost", 40000], 40000);
  if (want.has("multi")) {
    // As in make bench: the other targets warmed up too, then a multicall over three nodes.
    for (const peer of ["c@localhost", "d@localhost"]) await run("warm-up", "concurrent", [peer, 20000, 16], 20000);
    await run("multicall", "multicalls", [["b@localhost", "c@localhost", "d@localhost"], 3000], 3000);
  }
} finally {
  await cluster.cleanup();
}
