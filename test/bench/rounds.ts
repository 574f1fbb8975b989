/**
 * How a row's speed moves after `make bench`'s first warm-up: rounds of the
 * row's load, each printed with its time per operation and the CPU each
 * daemon used per operation, by thread (main `meshrpc`, `JITWorker`,
 * `HeapHelper`, `JSCWarmUp`, `mi-scavenger`). JIT workers busy in a round
 * mean the call path was still being compiled. Daemons from dist/meshrpc,
 * or MESHRPC_BENCH_BINARY.
 *
 *   bun run test/bench/rounds.ts seq|cast|multi [ROUNDS]
 */
import { join } from "node:path";
import { Cluster, type NodeProc, ROOT, sleep } from "../support/cluster.ts";
import { cpuMsByThread } from "./wall.ts";

const LOADS = {
  seq: { n: 5000, fn: "sequential", args: (n: number) => ["b@localhost", n] },
  cast: { n: 20_000, fn: "casts", args: (n: number) => ["b@localhost", n] },
  multi: { n: 5000, fn: "multicalls", args: (n: number) => [["b@localhost", "c@localhost", "d@localhost"], n] },
};
const what = process.argv[2] as keyof typeof LOADS;
if (!(what in LOADS)) throw new Error("usage: rounds.ts seq|cast|multi [ROUNDS]");
const rounds = Number(process.argv[3] ?? 8);
const load = LOADS[what];

const cluster = new Cluster({ flavor: "binary" });
try {
  const modules = ["--modules", join(ROOT, "test/bench/modules")];
  const nodes: NodeProc[] = [];
  for (const name of ["a", "b", "c", "d"]) nodes.push(await cluster.start(`${name}@localhost`, { args: modules }));
  await sleep(1000);
  const bench = async (fn: string, args: unknown[]) => {
    const r = await cluster.rpc(nodes[0].port, { module: "Bench", function: fn, args, timeout: 600_000 });
    if (r.status !== 200) throw new Error(`Bench.${fn} failed: ${JSON.stringify(r.body)}`);
    return r.body.ok as number;
  };
  // make bench's first warm-up (test/bench/run.ts), and the other targets' for a multicall.
  await bench("sequential", ["b@localhost", 5000]);
  await bench("concurrent", ["b@localhost", 20_000, 16]);
  await bench("sequential", ["b@localhost", 2000, 65536]);
  if (what === "multi") for (const peer of ["c@localhost", "d@localhost"]) await bench("concurrent", [peer, 20_000, 16]);
  const used = nodes.slice(0, what === "multi" ? 4 : 2);
  for (let round = 0; round < rounds; round++) {
    const before = used.map((x) => cpuMsByThread(x.pid));
    const result = await bench(load.fn, load.args(load.n));
    const perOp = used.map((x, i) => {
      const parts = [...cpuMsByThread(x.pid)].map(([name, ms]) => [name, (ms - (before[i].get(name) ?? 0)) * 1000 / load.n] as const);
      return `${"abcd"[i]} ${parts.filter(([, us]) => us > 0).map(([name, us]) => `${name} ${us.toFixed(1)}`).join(", ")}`;
    });
    // Bench.casts answers casts per second; the others seconds.
    const speed = what === "cast" ? `${Math.round(result)} casts/s` : `${(result * 1e6 / load.n).toFixed(1)} µs/op`;
    console.log(`round ${round}: ${speed} | CPU µs/op: ${perOp.join(" | ")}`);
  }
} finally {
  await cluster.cleanup();
}
