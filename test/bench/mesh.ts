/**
 * The mesh row of `make bench`: one node, then `size - 1` nodes started with
 * `--join` to it; how long after the last one started every node sees all
 * the others.
 *
 * @module
 */
import { Cluster, type Flavor, type NodeProc, sleep } from "../support/cluster.ts";

export interface MeshFigures {
  /** Seconds to start the joiners (in waves of `wave`). */
  startS: number;
  /** Seconds from the last start until every node listed all the others. */
  fullMeshS: number;
}

/** Starts a mesh of `size` nodes in its own cluster; throws when it is not full after 60 s. */
export async function meshOf(flavor: Flavor, size: number, wave = 8): Promise<MeshFigures> {
  const cluster = new Cluster({ flavor });
  try {
    await cluster.start("hub@localhost");
    const t0 = performance.now();
    const nodes: NodeProc[] = [cluster.nodes[0]];
    for (let i = 1; i < size; i += wave) {
      const names = Array.from({ length: Math.min(wave, size - i) }, (_, k) => `m${i + k}@localhost`);
      nodes.push(...await Promise.all(names.map((n) => cluster.start(n, { args: ["--join", "hub@localhost"] }))));
    }
    const last = performance.now();
    const full = new Set<string>();
    while (full.size < nodes.length) {
      if (performance.now() - last > 60_000) throw new Error(`only ${full.size} of ${size} nodes saw the full mesh after 60 s`);
      await Promise.all(nodes.filter((n) => !full.has(n.name)).map(async (n) => {
        const r = await cluster.rpc(n.port, { module: "node", function: "list", args: [] });
        if (r.status === 200 && (r.body.ok as string[]).length >= size - 1) full.add(n.name);
      }));
      if (full.size < nodes.length) await sleep(20);
    }
    return { startS: (last - t0) / 1000, fullMeshS: (performance.now() - last) / 1000 };
  } finally {
    await cluster.cleanup();
  }
}
