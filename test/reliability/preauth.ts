/**
 * Scenario 1: many unauthenticated sockets from several source addresses,
 * each announcing a 60 MiB WebSocket frame and sending part of it, against a
 * node's `/dist` and the port mapper's `/register`. How many does the server
 * still hold after 1 s, and what does it cost in memory?
 *
 * @module
 */
import { sleep } from "../support/cluster.ts";
import { rawWebSocket, type RawWs } from "../support/raw_ws.ts";
import { httpCall, idleRss, sampleRss, settle, withMesh } from "./harness.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

const ANNOUNCED = 60 * 1024 * 1024;
const SOURCES = 8;

type Target = { label: string; pid: number; port: number; path: (i: number) => string };

/** Opens one socket; undefined when the server refused or did not answer the upgrade within 5 s. */
async function open(port: number, path: string, i: number): Promise<RawWs | undefined> {
  const attempt = rawWebSocket(port, { path, localAddress: `127.0.0.${2 + (i % SOURCES)}` });
  const ws = await Promise.race([attempt.catch(() => undefined), sleep(5000).then(() => undefined)]);
  if (!ws) {
    attempt.then((w) => w.end(), () => {});
    return undefined;
  }
  if (ws.status !== 101) {
    ws.end();
    return undefined;
  }
  return ws;
}

/** Waits until our side has handed every byte to the kernel (or the socket closed), at most `ms`. */
async function drained(sockets: RawWs[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && sockets.some((w) => !w.isClosed() && w.socket.writableLength > 0)) await sleep(50);
}

async function attack(rows: Rows, t: Target, s: Sizes, probe?: () => Promise<number>): Promise<void> {
  const before = await idleRss(t.pid, 1000);
  const sampler = sampleRss([t.pid]);
  // Sent in one go after all are open: the node sees them all at once.
  const opened = await Promise.all(Array.from({ length: s.preauthSockets }, (_, i) => open(t.port, t.path(i), i)));
  const sockets = opened.filter((w): w is RawWs => w !== undefined);
  for (const w of sockets) if (!w.isClosed()) w.sendPartial(ANNOUNCED, s.preauthBytes);
  await drained(sockets, 10_000);
  const probeMs = probe ? await probe() : undefined;
  await sleep(1000);
  const held = sockets.filter((w) => !w.isClosed()).length;
  const peak = sampler.stop()[0];
  for (const w of sockets) w.end();
  const after = await settle(t.pid, BOUNDS.settleFactor * before, s.preauthAfterMs);

  rows.info(`${t.label}: sockets opened (of ${s.preauthSockets}, ${SOURCES} sources)`, sockets.length);
  rows.atMost(`${t.label}: held open 1 s after sending`, held, BOUNDS.preauthHeld, "count", "a 60 MiB frame breaks the size limit");
  rows.info(`${t.label}: RSS before`, before, "bytes");
  rows.atMost(`${t.label}: RSS peak`, peak, before + BOUNDS.preauthExtraRss, "bytes", "before + 32 MiB");
  if (probeMs !== undefined) rows.info(`${t.label}: an echo call while they are open`, probeMs, "ms");
  rows.atMost(
    `${t.label}: RSS after closing (read after ${(after.ms / 1000).toFixed(1)} s)`,
    after.rss,
    BOUNDS.settleFactor * before,
    "bytes",
    "2× before",
  );
}

/**
 * Unauthenticated sockets that upgrade and then say nothing, from `sources`
 * addresses: how many are still open after 1 s (bounded by the admission caps).
 */
async function idle(rows: Rows, port: number, n: number, sources: number, max: number, cap: string): Promise<void> {
  const opened = await Promise.all(Array.from({ length: n }, (_, i) => open(port, "/dist", (i % sources) * (SOURCES / sources))));
  const sockets = opened.filter((w): w is RawWs => w !== undefined);
  await sleep(1000);
  const held = sockets.filter((w) => !w.isClosed()).length;
  for (const w of sockets) w.end();
  rows.atMost(`node /dist: ${n} silent sockets from ${sources} source(s): held after 1 s`, held, max, "count", cap);
}

export async function preauthScenario(s: Sizes): Promise<Row[]> {
  const rows = new Rows("1 pre-auth sockets");
  await withMesh(["a@localhost"], async ({ cluster, epmd, nodes: [a] }) => {
    const echo = async () => {
      const started = Date.now();
      const r = await httpCall(a.port, cluster.cookie, { node: a.name, module: "rpc", function: "echo", args: ["probe"] }, 10_000);
      return r.body?.ok === "probe" ? Date.now() - started : Infinity;
    };
    await attack(rows, { label: "node /dist", pid: a.pid, port: a.port, path: () => "/dist" }, s, echo);
    await idle(rows, a.port, 20, 1, BOUNDS.preauthPerSource, "per-source cap");
    await idle(rows, a.port, Math.max(100, s.preauthSockets), SOURCES, BOUNDS.preauthTotal, "overall cap");
    await attack(
      rows,
      { label: "mapper /register", pid: epmd.pid, port: epmd.port, path: (i) => `/register?name=squat${i}&port=${10_000 + i}` },
      s,
    );
    const r = await httpCall(a.port, cluster.cookie, { node: a.name, module: "rpc", function: "echo", args: ["still"] }, 10_000);
    rows.check("node answers a call afterwards", r.body?.ok === "still", r.body?.ok === "still" ? "yes" : JSON.stringify(r.body).slice(0, 120));
  });
  return rows.rows;
}
