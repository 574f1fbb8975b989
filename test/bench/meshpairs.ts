/**
 * When each link of a mesh came up: starts N nodes joining one (as the mesh
 * row does), waits until every node lists all the others (or 30 s), then
 * reads every node's nodeup lines and prints, for the pairs that came up
 * last, the time after the last start and what both nodes logged about each
 * other before (PROFILE.md, mesh section).
 *
 *   bun run test/bench/meshpairs.ts [N] [flavor]
 */
import { Cluster, type Flavor, sleep } from "../support/cluster.ts";
import { linkedPeers, startJoiners } from "./mesh.ts";
import { cpuMs } from "./wall.ts";

/** `cpuMs`, or 0 for a node that is gone. */
function cpuOf(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}
const cpuOfAll = () => cluster.nodes.reduce((sum, n) => sum + cpuOf(n.pid), 0);

const size = Number(process.argv[2] ?? 50);
const flavor = (process.argv[3] ?? "binary") as Flavor;
const cluster = new Cluster({ flavor });
try {
  const t0 = Date.now();
  await cluster.start("hub@localhost");
  await startJoiners(cluster, size);
  const last = Date.now();
  const cpuAtLast = cpuOfAll();
  const lastNode = cluster.nodes[cluster.nodes.length - 1];
  const lastAtStart = cpuOf(lastNode.pid);
  const full = new Set<string>();
  while (full.size < size && Date.now() - last < 30_000) {
    for (const n of cluster.nodes) if (!full.has(n.name) && linkedPeers(n.log()).size >= size - 1) full.add(n.name);
    if (full.size < size) await sleep(10);
  }
  const fullS = (Date.now() - last) / 1000;
  const cpuToFull = cpuOfAll() - cpuAtLast;
  console.log(`last node: ${lastAtStart} CPU ms to start, ${cpuOf(lastNode.pid) - lastAtStart} more to full`);
  console.log(`start ${((last - t0) / 1000).toFixed(1)} s; full ${full.size}/${size} ${fullS.toFixed(2)} s after the last start, using ${(cpuToFull / 1000).toFixed(2)} CPU s; ${(cpuOfAll() / 1000).toFixed(1)} CPU s in all`);
  // pair "a|b" (sorted) -> latest nodeup time on either side
  const up = new Map<string, number>();
  const counts = new Map<string, number>();
  const lines: { node: string; t: number; line: string }[] = [];
  for (const n of cluster.nodes) {
    const self = n.name;
    for (const line of n.log().split("\n")) {
      const m = /^(\S+) (\w+) (\w+)(.*)$/.exec(line);
      if (!m) continue;
      const t = Date.parse(m[1]);
      const key = `${m[2]} ${m[3]}${/reason=(\S+)/.exec(m[4])?.[1] ? " " + /reason=(\S+)/.exec(m[4])![1].slice(0, 30) : ""}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      lines.push({ node: self, t, line });
      if (m[3] !== "nodeup") continue;
      const peer = /node=(\S+)/.exec(m[4])![1];
      const pair = [self, peer].sort().join("|");
      up.set(pair, Math.max(up.get(pair) ?? 0, t));
    }
  }
  console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${v}\t${k}`).join("\n"));
  const pairs = [...up].map(([p, t]) => [p, (t - last) / 1000] as const).sort((a, b) => b[1] - a[1]);
  const q = (f: number) => pairs[Math.floor((pairs.length - 1) * (1 - f))]?.[1].toFixed(2);
  console.log(`pairs up ${pairs.length} of ${(size * (size - 1)) / 2}; after last start: p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)}`);
  for (const n of cluster.nodes.slice(-10)) {
    const ts = lines.filter((l) => l.node === n.name && l.line.includes(" nodeup ")).map((l) => (l.t - last) / 1000);
    const st = lines.find((l) => l.node === n.name && l.line.includes(" start "));
    console.log(`${n.name}: start ${((st!.t - last) / 1000).toFixed(2)} first nodeup ${Math.min(...ts).toFixed(2)} 10th ${ts.sort((a, b) => a - b)[9]?.toFixed(2)} last ${Math.max(...ts).toFixed(2)} (${ts.length})`);
  }
  for (const [pair, s] of pairs.slice(0, Number(process.env.SHOW ?? 3))) {
    const [a, b] = pair.split("|");
    console.log(`--- ${pair} up at ${s.toFixed(2)} s`);
    for (const l of lines) {
      if ((l.node === a && l.line.includes(b)) || (l.node === b && l.line.includes(a))) {
        console.log(`${((l.t - last) / 1000).toFixed(2).padStart(7)} ${l.node.padEnd(14)} ${l.line.slice(25, 230)}`);
      }
    }
  }
} finally {
  await cluster.cleanup();
}
