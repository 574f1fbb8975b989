/**
 * Scenario 6: memory under load. Idle RSS of nodes a and b; then, one after
 * the other, casts as fast as a function on a can send them to b (empty,
 * then with 4 KiB each, which outruns the link unless casts wait for it),
 * calls with 1 MiB arguments, and many concurrent HTTP callers. During each load RSS
 * stays under a fixed bound; after it, RSS comes back within 2× idle.
 *
 * @module
 */
import { sleep } from "../support/cluster.ts";
import { httpLoad } from "./http_load.ts";
import { type Answer, httpCall, idleRss, kinds, type Mesh, rss, sampleRss, settle, withMesh } from "./harness.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

const MiB = 1024 * 1024;

/** Runs `load` while sampling RSS, then waits for both nodes to settle; adds the memory rows. */
async function phase<T>(rows: Rows, label: string, m: Mesh, idle: number[], settleMs: number, load: () => Promise<T>): Promise<T> {
  const pids = m.nodes.map((n) => n.pid);
  const start = pids.map(rss);
  const sampler = sampleRss(pids);
  const result = await load();
  const peaks = sampler.stop();
  const after = await Promise.all(pids.map((p, i) => settle(p, BOUNDS.settleFactor * idle[i], settleMs)));
  m.nodes.forEach((n, i) => {
    const who = n.name.split("@")[0];
    // The previous load's memory, still held, counts in this one's peak: say so.
    if (start[i] > BOUNDS.settleFactor * idle[i]) rows.info(`${label}: RSS of ${who} at its start (not settled)`, start[i], "bytes");
    rows.atMost(`${label}: RSS peak of ${who}`, peaks[i], BOUNDS.loadRss, "bytes");
    rows.atMost(
      `${label}: RSS of ${who} after (read after ${(after[i].ms / 1000).toFixed(1)} s)`,
      after[i].rss,
      BOUNDS.settleFactor * idle[i],
      "bytes",
      "2× idle",
    );
  });
  return result;
}

function answered(a: Answer, what: string): unknown {
  if (a.body?.ok === undefined) throw new Error(`${what} failed: ${JSON.stringify(a.body).slice(0, 300)}`);
  return a.body.ok;
}

export async function memoryScenario(s: Sizes): Promise<Row[]> {
  const rows = new Rows("6 memory");
  await withMesh(["a@localhost", "b@localhost"], async (m) => {
    const { cluster, nodes: [a, b] } = m;
    const call = (fn: string, args: unknown[], node = a.name) =>
      httpCall(a.port, cluster.cookie, { node, module: "Load", function: fn, args, timeout: 600_000 }, 610_000);
    answered(await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: [1] }), "a warm-up call from a to b");
    const idle = await Promise.all([idleRss(a.pid, 2000), idleRss(b.pid, 0)]);
    rows.info("idle RSS of a", idle[0], "bytes");
    rows.info("idle RSS of b", idle[1], "bytes");

    let arrived = 0;
    for (const size of [0, s.castBytes]) {
      const label = size ? `${s.casts} casts of ${size / 1024} KiB` : `${s.casts} casts`;
      const casts = await phase(rows, label, m, idle, s.settleMs, async () => {
        return answered(await call("casts", [b.name, s.casts, size]), "Load.casts") as {
          sent: number;
          failed: Record<string, number>;
          ms: number;
        };
      });
      // Casts still queued arrive after `casts` returned: wait until the count stops moving.
      let counted = -1;
      for (let i = 0; i < 40; i++) {
        const now = answered(await call("counted", [], b.name), "Load.counted") as number;
        if (now === counted) break;
        counted = now;
        await sleep(250);
      }
      rows.info(`${label}: accepted by cast()`, casts.sent);
      if (Object.keys(casts.failed).length) rows.info(`${label}: refused by kind`, kinds(casts.failed), "text");
      rows.info(`${label}: casts/s`, casts.sent / Math.max(0.001, casts.ms / 1000), "per_s");
      rows.atLeast(`${label}: arrived on b`, counted - arrived, casts.sent);
      arrived = counted;
    }

    const big = await phase(rows, `${s.bigCalls} 1 MiB calls`, m, idle, s.settleMs, async () => {
      return answered(await call("bigCalls", [b.name, s.bigCalls, MiB, s.bigCallWindow]), "Load.bigCalls") as {
        kinds: Record<string, number>;
        ms: number;
      };
    });
    const bigOk = big.kinds.ok ?? 0;
    rows.check(`1 MiB calls (${s.bigCallWindow} at a time) all ok`, bigOk === s.bigCalls, kinds(big.kinds), `ok=${s.bigCalls}`);

    const load = await phase(rows, `${s.memoryCallers} HTTP callers`, m, idle, s.settleMs, () =>
      httpLoad({ port: a.port, cookie: cluster.cookie, node: b.name, callers: s.memoryCallers, ms: s.memoryCallersMs }));
    const lost = Object.values(load.lost).reduce((x, y) => x + y, 0);
    rows.info(`${s.memoryCallers} HTTP callers: calls (lost)`, `${load.calls} (${lost})`, "text");
  });
  return rows.rows;
}
