/**
 * The mesh row of `make bench`: one node, then `size - 1` nodes started with
 * `--join` to it; how long after the last one started every node sees all
 * the others.
 *
 * Completion is read from the nodes' own logs (`nodeup`/`nodedown` lines on
 * stderr, which the cluster collects anyway) and then confirmed by asking
 * every node for its `node.list` once. Asking every node over HTTP every
 * 20 ms instead cost the nodes more CPU than the mesh itself (about 50 ms a
 * second per node: 100 nodes would need 5 cores), so the figure measured the
 * polling.
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

/** The peers a node's log says it is connected to: a nodeup not followed by a nodedown. */
export function linkedPeers(log: string): Set<string> {
  const up = new Set<string>();
  for (const m of log.matchAll(/ info (nodeup|nodedown) node=(\S+)/g)) {
    if (m[1] === "nodeup") up.add(m[2]);
    else up.delete(m[2]);
  }
  return up;
}

/**
 * Starts `size - 1` nodes in `cluster` that join its first node,
 * hub@localhost, `wave` at a time (each wave once the one before listens);
 * resolves with them.
 */
export async function startJoiners(cluster: Cluster, size: number, wave = 8): Promise<NodeProc[]> {
  const joiners: NodeProc[] = [];
  for (let i = 1; i < size; i += wave) {
    const names = Array.from({ length: Math.min(wave, size - i) }, (_, k) => `m${i + k}@localhost`);
    joiners.push(...await Promise.all(names.map((n) => cluster.start(n, { args: ["--join", "hub@localhost"] }))));
  }
  return joiners;
}

/** Starts a mesh of `size` nodes in its own cluster; throws when it is not full after 60 s. */
export async function meshOf(flavor: Flavor, size: number, wave = 8): Promise<MeshFigures> {
  const cluster = new Cluster({ flavor });
  try {
    const hub = await cluster.start("hub@localhost");
    const t0 = performance.now();
    const nodes = [hub, ...await startJoiners(cluster, size, wave)];
    const last = performance.now();
    const full = new Set<string>();
    let fullAt = 0;
    while (full.size < nodes.length) {
      if (performance.now() - last > 60_000) throw new Error(`only ${full.size} of ${size} nodes saw the full mesh after 60 s`);
      for (const n of nodes) if (!full.has(n.name) && linkedPeers(n.log()).size >= size - 1) full.add(n.name);
      fullAt = performance.now();
      if (full.size < nodes.length) await sleep(10);
      else if (!await allListAll(cluster, nodes, size)) {
        full.clear();
        await sleep(20);
      }
    }
    return { startS: (last - t0) / 1000, fullMeshS: (fullAt - last) / 1000 };
  } finally {
    await cluster.cleanup();
  }
}

/** True when every node's `node.list` has all the others: the logs' word, checked. */
async function allListAll(cluster: Cluster, nodes: NodeProc[], size: number): Promise<boolean> {
  const lists = await Promise.all(nodes.map((n) => cluster.rpc(n.port, { module: "node", function: "list", args: [] })));
  return lists.every((r) => r.status === 200 && (r.body.ok as string[]).length >= size - 1);
}
