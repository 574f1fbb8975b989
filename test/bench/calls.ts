/**
 * `make bench`: how fast one node calls another (rpc.echo), sequentially and
 * with 64 calls in flight, node to node between two compiled daemons, and
 * through HTTP. Prints a table; speed targets live here, never in tests.
 *
 *   bun run test/bench/calls.ts [--calls N] [--flavor binary|bun|deno]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { Cluster, type Flavor, ROOT } from "../support/cluster.ts";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "5000" }, flavor: { type: "string", default: "binary" } },
});
const calls = Number(values.calls);
const flavor = values.flavor as Flavor;

type Summary = { calls: number; p50_us: number; p99_us: number; calls_per_s: number };

const cluster = new Cluster({ flavor });
try {
  const modules = ["--modules", join(ROOT, "test/bench/modules")];
  const a = await cluster.start("a@localhost", { args: modules });
  await cluster.start("b@localhost", { args: modules });

  const run = async (fn: string, args: unknown[]): Promise<Summary> => {
    const r = await cluster.rpc(a.port, { module: "Bench", function: fn, args, timeout: 600_000 });
    if (r.status !== 200) throw new Error(`Bench.${fn} failed: ${JSON.stringify(r.body)}`);
    return r.body.ok;
  };

  await run("sequential", ["b@localhost", 1000]); // warm-up: connect, JIT
  const rows: [string, Summary][] = [
    ["node→node sequential", await run("sequential", ["b@localhost", calls])],
    ["node→node 64 in flight", await run("concurrent", ["b@localhost", calls * 4, 64])],
  ];

  // HTTP: curl-style JSON calls from this process to node a, one after the other.
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    const r = await cluster.rpc(a.port, { module: "rpc", function: "echo", args: ["hello"] });
    if (r.status !== 200) throw new Error("HTTP call failed");
    samples.push(performance.now() - t);
  }
  const sorted = samples.sort((x, y) => x - y);
  rows.push(["HTTP JSON sequential", {
    calls,
    p50_us: sorted[Math.floor(calls / 2)] * 1000,
    p99_us: sorted[Math.floor(calls * 0.99)] * 1000,
    calls_per_s: calls / ((performance.now() - start) / 1000),
  }]);

  console.log(`meshrpc ${flavor}, rpc.echo("hello"), ${navigator.hardwareConcurrency} CPUs`);
  console.log("what".padEnd(26) + "calls".padStart(8) + "p50 µs".padStart(10) + "p99 µs".padStart(10) + "calls/s".padStart(10));
  for (const [what, s] of rows) {
    console.log(
      what.padEnd(26) + String(s.calls).padStart(8) + s.p50_us.toFixed(0).padStart(10) + s.p99_us.toFixed(0).padStart(10) +
        s.calls_per_s.toFixed(0).padStart(10),
    );
  }
} finally {
  await cluster.cleanup();
}
