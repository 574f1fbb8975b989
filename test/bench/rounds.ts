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
import { DEFAULT_CALLS, plan } from "./plan.ts";
import { cpuMsByThread } from "./wall.ts";

const ROWS = { seq: "echo_small", cast: "cast", multi: "multicall" } as const;
const what = process.argv[2] as keyof typeof ROWS;
if (!(what in ROWS)) throw new Error("usage: rounds.ts seq|cast|multi [ROUNDS]");
const rounds = Number(process.argv[3] ?? 8);
const steps = plan(DEFAULT_CALLS);
const at = steps.findIndex((step) => step.row?.key === ROWS[what]);
const { fn, args } = steps[at];
const row = steps[at].row!;
// Everything make bench runs before the row but the row's own warm-up, which these rounds replace.
const before = steps.slice(0, at).filter((step) => step.warms !== row.key);

const cluster = new Cluster({ flavor: "binary" });
try {
  const { nodes, run: bench } = await startBenchNodes(cluster);
  await sleep(1000);
  for (const step of before) await bench(step.fn, step.args);
  const used = nodes.slice(0, what === "multi" ? 4 : 2);
  for (let round = 0; round < rounds; round++) {
    const cpuBefore = used.map((x) => cpuMsByThread(x.pid));
    const figure = row.figure(await bench(fn, args));
    const perOp = used.map((x, i) => {
      const parts = [...cpuMsByThread(x.pid)].map(([name, ms]) => [name, (ms - (cpuBefore[i].get(name) ?? 0)) * 1000 / row.ops] as const);
      return `${"abcd"[i]} ${parts.filter(([, us]) => us > 0).map(([name, us]) => `${name} ${us.toFixed(1)}`).join(", ")}`;
    });
    console.log(`round ${round}: ${(1e6 / figure).toFixed(1)} µs/op (${Math.round(figure)} ${row.unit}) | CPU µs/op: ${perOp.join(" | ")}`);
  }
} finally {
  await cluster.cleanup();
}
