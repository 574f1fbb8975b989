/**
 * Scenario 3: many concurrent HTTP callers, each echoing unique ids through
 * node a to node b for a while. Nothing may be lost, duplicated or mixed up.
 *
 * @module
 */
import { httpLoad } from "./http_load.ts";
import { httpCall, kinds, sampleRss, withMesh } from "./harness.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

export async function callersScenario(s: Sizes): Promise<Row[]> {
  const rows = new Rows(`3 ${s.callers} HTTP callers`);
  await withMesh(["a@localhost", "b@localhost"], async ({ cluster, nodes: [a, b] }) => {
    const warm = await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: [1] });
    if (warm.body?.ok !== 1) throw new Error(`a could not call b: ${JSON.stringify(warm.body)}`);
    const sampler = sampleRss([a.pid, b.pid], 250);
    const r = await httpLoad({ port: a.port, cookie: cluster.cookie, node: b.name, callers: s.callers, ms: s.callersMs });
    const [peakA, peakB] = sampler.stop();
    const lost = Object.values(r.lost).reduce((x, y) => x + y, 0);
    rows.info("calls", r.calls);
    rows.info("connections to a (peak)", r.connections);
    rows.atMost("lost (not ok, or failed)", lost, 0);
    if (lost > 0) rows.info("lost by kind", kinds(r.lost), "text");
    rows.atMost("duplicated", r.duplicated, 0);
    rows.atMost("mismatched (another call's reply)", r.mismatched, 0);
    rows.info("calls/s", r.perSecond, "per_s");
    rows.info("p50", r.p50, "ms");
    // Reported, not bounded: latency on a shared 2-core machine says more about the machine.
    rows.info("p99", r.p99, "ms");
    rows.info("max", r.max, "ms");
    rows.atMost("RSS peak of a", peakA, BOUNDS.loadRss, "bytes");
    rows.atMost("RSS peak of b", peakB, BOUNDS.loadRss, "bytes");
    for (const sample of r.samples) rows.info("sample", sample, "text");
  });
  return rows.rows;
}
