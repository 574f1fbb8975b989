/**
 * How a row's speed moves with its warm-up: what `make bench` runs before
 * the row (its other rows), then rounds of the row's load instead of the
 * row's own warm-up, each printed with its time per operation and the CPU
 * each daemon used per operation, by thread (main `meshrpc`, `JITWorker`,
 * `HeapHelper`, `JSCWarmUp`, `mi-scavenger`). JIT workers busy in a round
 * mean the call path was still being compiled. Daemons from dist/meshrpc,
 * or MESHRPC_BENCH_BINARY.
 *
 *   bun run test/bench/rounds.ts seq|cast|multi [ROUNDS]
 */
import { Cluster, sleep } from "../support/cluster.ts";
import { startBenchNodes } from "./bench_nodes.ts";
import { cpuMsByThread } from "./wall.ts";
import { WARMUP } from "./warmup.ts";

const B = "b@localhost";
type Step = [fn: string, args: unknown[]];
// What run.ts runs before each row, without that row's own warm-up.
const FIRST: Step[] = [["sequential", [B, 5000]], ["concurrent", [B, 20_000, 16]], ["sequential", [B, 2000, 65536]]];
const ECHO_ROWS: Step[] = [
  ["sequential", [B, WARMUP.sequential]],
  ["sequential", [B, 5000]],
  ["sequential", [B, 2100, 65536]],
  ["sequential", [B, 300, 1048576]],
  ...[16, 64, 256].map((w): Step => ["concurrent", [B, 20_000, w]]),
];
const LOADS = {
  seq: { n: 5000, fn: "sequential", args: (n: number) => [B, n], before: FIRST },
  cast: { n: 20_000, fn: "casts", args: (n: number) => [B, n], before: [...FIRST, ...ECHO_ROWS] },
  multi: {
    n: 5000,
    fn: "multicalls",
    args: (n: number) => [[B, "c@localhost", "d@localhost"], n],
    before: [
      ...FIRST,
      ...ECHO_ROWS,
      // The casts row's warm-up, then the row itself.
      ["casts", [B, WARMUP.casts + 20_000]],
      ...["c@localhost", "d@localhost"].map((peer): Step => ["concurrent", [peer, 20_000, 16]]),
    ] as Step[],
  },
};
const what = process.argv[2] as keyof typeof LOADS;
if (!(what in LOADS)) throw new Error("usage: rounds.ts seq|cast|multi [ROUNDS]");
const rounds = Number(process.argv[3] ?? 8);
const load = LOADS[what];

const cluster = new Cluster({ flavor: "binary" });
try {
  const { nodes, run: bench } = await startBenchNodes(cluster);
  await sleep(1000);
  for (const [fn, args] of load.before) await bench(fn, args);
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
