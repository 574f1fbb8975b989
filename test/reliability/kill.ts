/**
 * Scenario 4: node b is killed with SIGKILL while a function on node a keeps
 * calls to it in flight. Every pending call must end `noconnection`, soon.
 *
 * @module
 */
import { sleep } from "../support/cluster.ts";
import { httpCall, kinds, tally, withMesh } from "./harness.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

export async function killScenario(s: Sizes): Promise<Row[]> {
  const rows = new Rows("4 kill -9 under load");
  await withMesh(["a@localhost", "b@localhost"], async ({ cluster, nodes: [a, b] }) => {
    const warm = await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: [1] });
    if (warm.body?.ok !== 1) throw new Error(`a could not call b: ${JSON.stringify(warm.body)}`);
    const running = httpCall(a.port, cluster.cookie, {
      node: a.name,
      module: "Load",
      function: "sleepers",
      args: [b.name, s.killInFlight, 200, Date.now() + 60_000],
      timeout: 90_000,
    }, 100_000);
    await sleep(1500);
    const killedAt = Date.now();
    process.kill(b.pid, "SIGKILL");
    const answer = await running;
    const result = answer.body?.ok as { ok: number; ends: [string, number][] } | undefined;
    if (!result) {
      rows.check("the load function answered", false, JSON.stringify(answer.body).slice(0, 200));
      return;
    }
    const ends = result.ends;
    const byKind = tally(ends.map(([k]) => k));
    const last = Math.max(...ends.map(([, at]) => at)) - killedAt;
    const first = Math.min(...ends.map(([, at]) => at)) - killedAt;
    rows.info("calls that ended ok before the kill", result.ok);
    rows.check(
      `every one of the ${s.killInFlight} pending calls ended noconnection`,
      byKind.noconnection === s.killInFlight,
      kinds(byKind),
      `noconnection=${s.killInFlight}`,
    );
    rows.info("first ended after the kill", first, "ms");
    rows.atMost("last ended after the kill", last, BOUNDS.killSettleMs, "ms");
  });
  return rows.rows;
}
