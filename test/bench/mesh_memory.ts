/**
 * The mesh's own CPU per link, without processes, sockets or cold caches:
 * N Mesh instances in this process over in-memory transports, all joining
 * the first (PROFILE.md, mesh section).
 *
 *   bun run test/bench/mesh_memory.ts [N]
 */
import { NodeEvents } from "../../lib/core/events.ts";
import { silentLogger } from "../../lib/core/log.ts";
import { Mesh } from "../../lib/distribution/mesh.ts";
import { ok } from "../../lib/result.ts";
import { worldDialer } from "../support/memory_transport.ts";
import { sleep } from "../support/cluster.ts";

const size = Number(process.argv[2] ?? 100);
const world = new Map<string, Mesh>();
for (let i = 0; i < size; i++) {
  const name = `n${i}@h`;
  world.set(name, new Mesh({
    self: { name, port: 1000 + i, hidden: false, creation: crypto.randomUUID() },
    cookie: "cookie",
    ticktimeMs: 60_000,
    setupTimeoutMs: 5000,
    dial: worldDialer(world),
    handler: { call: () => Promise.resolve(ok(null)), cast: () => {} },
    events: new NodeEvents(),
    log: silentLogger,
  }));
}
const meshes = [...world.values()];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const m of meshes.slice(1)) await m.connect("n0@h");
while (!meshes.every((m) => m.nodes().length === size - 1)) await sleep(5);
const cpu = process.cpuUsage(cpu0);
const links = (size * (size - 1)) / 2;
console.log(
  `${size} meshes: ${links} links in ${(performance.now() - t0).toFixed(0)} ms, ` +
    `${((cpu.user + cpu.system) / 1000 / links).toFixed(2)} CPU ms per link (both sides)`,
);
for (const m of meshes) m.close();
