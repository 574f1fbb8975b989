/**
 * Hardening, part two: what arrives before authentication is hostile. Its
 * size, how many at once, what it makes the node log or reply, and whether
 * it can hold up a connection between real nodes are all bounded. The
 * attacker is this test process speaking raw WebSocket to the node's port,
 * from 127.0.0.2 where a second "host" is needed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { encode } from "cborg";
import { Cluster, type NodeProc, sleep, waitFor } from "../support/cluster.ts";
import { rawWebSocket, type RawWs, rssOf } from "../support/raw_ws.ts";

setDefaultTimeout(60_000);

const MiB = 1024 * 1024;

/** A `hello` as a dialer sends it: [1, version, name, to, port, hidden, creation]. */
function hello(name: string, to: string): Uint8Array {
  return encode([1, 1, name, to, 1, false, crypto.randomUUID()]);
}

describe("before authentication", () => {
  let cluster: Cluster;
  let a: NodeProc;
  const opened: RawWs[] = [];

  async function open(options: { localAddress?: string } = {}): Promise<RawWs> {
    const ws = await rawWebSocket(a.port, options);
    opened.push(ws);
    return ws;
  }

  beforeAll(async () => {
    cluster = new Cluster({ flavor: "binary" });
    a = await cluster.start("a@localhost");
    await cluster.start("b@localhost");
  });
  afterAll(async () => {
    for (const ws of opened) ws.end();
    await cluster.cleanup();
  });

  test("a message larger than a handshake message is refused without being buffered", async () => {
    const before = rssOf(a.pid);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => open()));
    for (const ws of sockets) ws.sendPartial(60 * MiB, 20 * MiB);
    await Promise.all(sockets.map((ws) => Promise.race([ws.closed, sleep(5000)])));
    expect(sockets.filter((ws) => !ws.isClosed())).toHaveLength(0);
    expect(rssOf(a.pid) - before).toBeLessThan(100 * MiB);
  });

  test("one source address holds only a few unauthenticated connections; other hosts still connect", async () => {
    const sockets = await Promise.all(Array.from({ length: 64 }, () => open({ localAddress: "127.0.0.2" })));
    await sleep(500);
    const held = sockets.filter((ws) => !ws.isClosed()).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(16);
    expect(a.log()).toContain("preauth_limit");
    const r = await cluster.cli(["ping", "b@localhost", "--node", "a@localhost"]);
    expect(r.stdout.trim()).toBe("pong");
    for (const ws of sockets) ws.end();
  });

  test("a refused hello's peer-supplied text is truncated in the reply and in the log", async () => {
    // Its own source address: the log limit of 127.0.0.1 was spent by the tests before.
    const ws = await open({ localAddress: "127.0.0.3" });
    // Under the handshake message limit, so that it is decoded and refused by name.
    const to = "t".repeat(3000);
    ws.send(hello("evil@localhost", to));
    await Promise.race([ws.closed, sleep(5000)]);
    const reply = ws.messages.reduce((n, m) => n + m.length, 0);
    expect(reply).toBeGreaterThan(0);
    expect(reply).toBeLessThan(2048);
    // The node writes its log without blocking: the line may land just after the close.
    const line = await waitFor("the refusal's log line", () => a.log().split("\n").find((l) => l.includes("evil@localhost")));
    expect(line.length).toBeLessThan(2048);
  });

  test("repeated refusals from one source are rate-limited in the log, saying how many were suppressed", async () => {
    const logBefore = a.log().length;
    for (let i = 0; i < 40; i++) {
      const ws = await open();
      ws.send(hello(`spam${i}@localhost`, "nobody@localhost"));
      await Promise.race([ws.closed, sleep(2000)]);
    }
    await sleep(1200);
    const ws = await open();
    ws.send(hello("last@localhost", "nobody@localhost"));
    await Promise.race([ws.closed, sleep(2000)]);
    const log = a.log().slice(logBefore);
    const refusals = log.split("\n").filter((l) => l.includes("handshake_refused"));
    expect(refusals.length).toBeLessThan(15);
    await waitFor("a line saying how many refusals were suppressed", () => /suppressed=\d+/.test(a.log().slice(logBefore)));
  });

  test("an unauthenticated hello claiming to be node b does not delay a's calls to b", async () => {
    await cluster.cli(["disconnect", "b@localhost", "--node", "a@localhost"]);
    // The impostor claims b's name and then never answers the challenge.
    const impostor = await open({ localAddress: "127.0.0.2" });
    impostor.send(hello("b@localhost", "a@localhost"));
    await sleep(200);
    // Waiting on the impostor would take the 5 s handshake deadline: the 3 s timeout would pass first.
    const r = await cluster.cli(["call", "b@localhost", "node", "self", "--node", "a@localhost", "--timeout", "3000"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toBe("b@localhost");
  });
});
