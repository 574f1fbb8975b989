/**
 * Scenario 2b: unauthenticated messages to a real daemon's `/dist`, over raw
 * WebSockets from 8 source addresses: mutated and random handshake frames,
 * alone or after a valid hello, and on every 50th socket a hello with a
 * 256 KiB field. The daemon must keep answering calls, its memory must stay bounded,
 * and what it writes back and to its log must not grow with the input.
 *
 * @module
 */
import { sleep } from "../support/cluster.ts";
import { rawWebSocket, type RawWs } from "../support/raw_ws.ts";
import { cbor, fuzzInput, rng, validHello } from "./fuzz_inputs.ts";
import { httpCall, idleRss, sampleRss, settle, withMesh } from "./harness.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

const SOURCES = 8;

async function open(port: number, i: number): Promise<RawWs | undefined> {
  const attempt = rawWebSocket(port, { localAddress: `127.0.0.${2 + (i % SOURCES)}` });
  const ws = await Promise.race([attempt.catch(() => undefined), sleep(5000).then(() => undefined)]);
  if (!ws) attempt.then((w) => w.end(), () => {});
  else if (ws.status !== 101) ws.end();
  return ws?.status === 101 ? ws : undefined;
}

export async function fuzzDaemonScenario(s: Sizes, seed: number): Promise<Row[]> {
  const rows = new Rows("2b fuzz daemon");
  await withMesh(["a@localhost", "b@localhost"], async ({ cluster, nodes: [a, b] }) => {
    const warm = await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: [1] });
    if (warm.body?.ok !== 1) throw new Error(`a could not call b before the fuzz: ${JSON.stringify(warm.body)}`);
    const before = await idleRss(a.pid);
    const logBefore = a.log().length;
    const sampler = sampleRss([a.pid]);
    const r = rng(seed);
    let sent = 0;
    let sockets = 0;
    let refusedUpgrades = 0;
    let closedByServer = 0;
    let replyMax = 0;
    let replies = 0;
    const worker = async (w: number) => {
      for (let i = w; sent < s.daemonFuzzInputs; i += SOURCES) {
        const ws = await open(a.port, i);
        if (!ws) {
          refusedUpgrades++;
          continue;
        }
        sockets++;
        if (r() < 0.5) {
          ws.send(validHello(a.name, `fz${i}@localhost`));
          sent++;
        }
        const big = i % 50 === 0;
        ws.send(big ? cbor([1, 1, `fz${i}@localhost`, "t".repeat(256 * 1024), 4711, false, "c"]) : fuzzInput(r, "handshake", a.name));
        sent++;
        await Promise.race([ws.closed, sleep(100)]);
        if (ws.isClosed()) closedByServer++;
        ws.end();
        for (const m of ws.messages) replyMax = Math.max(replyMax, m.length);
        replies += ws.messages.length;
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: SOURCES }, (_, w) => worker(w)));
    const ms = Date.now() - started;
    const peak = sampler.stop()[0];
    const logBytes = new TextEncoder().encode(a.log().slice(logBefore)).length;

    const local = await httpCall(a.port, cluster.cookie, { node: a.name, module: "rpc", function: "echo", args: ["after"] }, 10_000);
    const remote = await httpCall(a.port, cluster.cookie, { node: b.name, module: "rpc", function: "echo", args: ["after"] }, 10_000);
    const after = await settle(a.pid, BOUNDS.settleFactor * before, s.preauthAfterMs);

    rows.atLeast("messages sent before authentication", sent, s.daemonFuzzInputs);
    rows.info("sockets (upgrades refused)", `${sockets} (${refusedUpgrades})`, "text");
    rows.info("sockets the node closed within 100 ms", closedByServer);
    rows.info("time", ms, "ms");
    rows.check("the node is still running", a.proc.exitCode === null, a.proc.exitCode === null ? "yes" : `exit ${a.proc.exitCode}`);
    rows.check("a local call answers afterwards", local.body?.ok === "after", local.body?.ok === "after" ? "yes" : JSON.stringify(local.body).slice(0, 120));
    rows.check("a call to b through a answers afterwards", remote.body?.ok === "after", remote.body?.ok === "after" ? "yes" : JSON.stringify(remote.body).slice(0, 120));
    rows.info("RSS before", before, "bytes");
    rows.atMost("RSS peak", peak, before + BOUNDS.preauthExtraRss, "bytes", "before + 32 MiB");
    rows.atMost(`RSS after (read after ${(after.ms / 1000).toFixed(1)} s)`, after.rss, BOUNDS.settleFactor * before, "bytes", "2× before");
    rows.info("replies received", replies);
    rows.atMost("largest reply", replyMax, BOUNDS.preauthReplyBytes, "count", "bytes");
    rows.atMost("log bytes per message", logBytes / Math.max(1, sent), BOUNDS.preauthLogBytesPerInput, "count", "bytes, average");
  });
  return rows.rows;
}
