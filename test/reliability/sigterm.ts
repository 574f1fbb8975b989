/**
 * Scenario 5: SIGTERM on node a while HTTP calls are in flight on it: a
 * third run by a itself (`rpc.sleep(1000)`), a third forwarded to node b
 * (`rpc.sleep(2000)`), a third run by a function on a that calls b
 * (`Load.relay`, 1500 ms). The forwarded and relayed calls outlast a's own
 * work on purpose: the README promises that calls in flight finish (up to
 * 5 s), and calls made through a node count as in flight (issue 7, item 7).
 *
 * @module
 */
import { sleep } from "../support/cluster.ts";
import { httpCall, kinds, tally, withMesh } from "./harness.ts";
import type { Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

const DRAIN_MS = 5000;
const GROUPS = ["local", "forwarded", "relayed"] as const;

export async function sigtermScenario(s: Sizes): Promise<Row[]> {
  const rows = new Rows("5 SIGTERM with calls in flight");
  await withMesh(["a@localhost", "b@localhost"], async ({ cluster, nodes: [a, b] }) => {
    const warm = await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: [1] });
    if (warm.body?.ok !== 1) throw new Error(`a could not call b: ${JSON.stringify(warm.body)}`);
    const calls = Array.from({ length: s.sigtermCalls }, (_, i) => {
      const where = GROUPS[i % 3];
      const call = where === "local"
        ? { node: a.name, module: "rpc", function: "sleep", args: [1000] }
        : where === "forwarded"
        ? { node: b.name, module: "rpc", function: "sleep", args: [2000] }
        : { node: a.name, module: "Load", function: "relay", args: [b.name, 1500] };
      return httpCall(a.port, cluster.cookie, { ...call, timeout: 10_000 }, 15_000)
        .then((r) => ({ where, kind: r.body?.ok !== undefined ? "ok" : `${r.status} ${r.body?.error?.kind}` }));
    });
    await sleep(300);
    const termAt = Date.now();
    process.kill(a.pid, "SIGTERM");
    const exited = a.proc.exited.then(() => Date.now() - termAt);
    const results = await Promise.all(calls);
    const exitMs = await Promise.race([exited, sleep(15_000).then(() => Infinity)]);
    for (const where of GROUPS) {
      const mine = results.filter((r) => r.where === where);
      const lost = mine.filter((r) => r.kind !== "ok");
      rows.atMost(`${where} calls lost (of ${mine.length})`, lost.length, 0);
      if (lost.length) rows.info(`${where} lost by outcome`, kinds(tally(lost.map((r) => r.kind))), "text");
    }
    rows.atMost("a exited after SIGTERM", exitMs, DRAIN_MS + 2000, "ms", "5 s drain + 2 s");
  });
  return rows.rows;
}
