/**
 * The four meshrpc nodes the call rows run on, each with the Bench module
 * (test/bench/modules), and its loops run inside node a, as `make bench`,
 * `cpu_probe.ts` and `rounds.ts` all do.
 *
 * @module
 */
import { join } from "node:path";
import { type Cluster, type NodeProc, ROOT } from "../support/cluster.ts";

/** The flags that give a node the Bench module. */
export const BENCH_MODULES = ["--modules", join(ROOT, "test/bench/modules")];

export interface BenchNodes {
  /** a (where the loops run), b, c and d. */
  nodes: [NodeProc, NodeProc, NodeProc, NodeProc];
  /** `Bench.fn(...args)` on a, over `POST /rpc`: its value; throws with the answer on any other status. */
  run<T = number>(fn: string, args: unknown[]): Promise<T>;
}

/** Starts a, b, c and d in turn. */
export async function startBenchNodes(cluster: Cluster): Promise<BenchNodes> {
  const nodes: NodeProc[] = [];
  for (const name of ["a", "b", "c", "d"]) nodes.push(await cluster.start(`${name}@localhost`, { args: BENCH_MODULES }));
  const [a] = nodes;
  return {
    nodes: nodes as BenchNodes["nodes"],
    async run<T>(fn: string, args: unknown[]): Promise<T> {
      const r = await cluster.rpc(a.port, { module: "Bench", function: fn, args, timeout: 600_000 });
      if (r.status !== 200) throw new Error(`Bench.${fn} failed: ${JSON.stringify(r.body)}`);
      return r.body.ok as T;
    },
  };
}
