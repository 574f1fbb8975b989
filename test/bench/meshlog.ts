/**
 * Why a mesh does (not) complete: starts N compiled nodes joining one, waits 8 s,
 * counts the nodes that see all others and the log events, and prints one
 * mesh_connect_failed / preauth_limit / nodedown line per node (PROFILE.md).
 *
 *   bun run test/bench/meshlog.ts [N]
 */
import { Cluster, sleep } from "../support/cluster.ts";
const size = Number(process.argv[2] ?? 40);
const cluster = new Cluster({ flavor: "binary" });
try {
  await cluster.start("hub@localhost");
  for (let i = 1; i < size; i += 8) {
    const names = Array.from({ length: Math.min(8, size - i) }, (_, k) => `m${i + k}@localhost`);
    await Promise.all(names.map((n) => cluster.start(n, { args: ["--join", "hub@localhost"] })));
  }
  const t = performance.now();
  await sleep(8000);
  let full = 0;
  for (const n of cluster.nodes) {
    const r = await cluster.rpc(n.port, { module: "node", function: "list", args: [] });
    if ((r.body.ok as string[]).length >= size - 1) full++;
  }
  console.log(`full ${full}/${size} after ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const counts = new Map<string, number>();
  for (const n of cluster.nodes) for (const line of n.log().split("\n")) {
    const m = /\b(warn|error|info)\s+(\w+)/.exec(line) ?? /"msg":"(\w+)"/.exec(line);
    const key = m ? m.slice(1).join(" ") : line.slice(0, 40);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 15));
  for (const n of cluster.nodes) for (const l of n.log().split("\n")) if (/mesh_connect_failed|preauth_limit|nodedown/.test(l)) { console.log(l.slice(0, 220)); break; }
} finally {
  await cluster.cleanup();
}
