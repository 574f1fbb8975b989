/**
 * The port mapper against strangers, with real processes: big frames and
 * silent sockets before registration, refusals that would flood the log, and
 * a squatter racing a node for its name while the mapper restarts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { EpmdError } from "../../lib/epmd/errors.ts";
import { lookupPort } from "../../lib/epmd/lookup.ts";
import { registerName, type Registration } from "../../lib/epmd/client.ts";
import { startEpmd } from "../../lib/epmd/server.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";
import { Cluster, freePort, programOf, sleep, waitFor } from "../support/cluster.ts";
import { rawWebSocket, type RawWs, rssOf } from "../support/raw_ws.ts";

const rt = await loadRuntime();
const MiB = 1024 * 1024;

type Mapper = { port: number; pid: number; proc: Subprocess; log(): string };
const procs: Subprocess[] = [];
let cluster: Cluster | undefined;
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const p of procs.splice(0)) {
    if (p.exitCode === null) p.kill("SIGKILL");
    await p.exited;
  }
  await cluster?.cleanup();
  cluster = undefined;
});

/** `meshrpc epmd` in its own process, on `port` (a free one by default), its stderr kept. */
async function spawnMapper(extra: string[] = [], port?: number): Promise<Mapper> {
  const p = port ?? await freePort();
  const proc = Bun.spawn([...programOf("bun"), "epmd", "--port", String(p), "--listen", "127.0.0.1", ...extra], {
    stdout: "ignore",
    stderr: "pipe",
  });
  procs.push(proc);
  let text = "";
  (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) text += decoder.decode(chunk);
  })().catch(() => {});
  const health = await waitFor(`the port mapper on ${p}`, async () => {
    if (proc.exitCode !== null) throw new Error(`epmd exited ${proc.exitCode}: ${text}`);
    try {
      return await (await fetch(`http://127.0.0.1:${p}/health`)).json() as { pid: number };
    } catch {
      return undefined;
    }
  });
  return { port: p, pid: health.pid, proc, log: () => text };
}

/** Announces a `length`-byte frame and sends all but the last MiB of it, 1 MiB at a time, unless the server closes first. */
async function pushFrame(ws: RawWs, length: number): Promise<void> {
  const chunk = new Uint8Array(MiB);
  ws.sendPartial(length, 0);
  for (let sent = 0; sent < length - MiB && !ws.isClosed(); sent += MiB) {
    if (!ws.socket.write(chunk)) {
      await Promise.race([new Promise((r) => ws.socket.once("drain", r)), ws.closed, sleep(5000)]);
    }
  }
}

describe("the port mapper before registration", () => {
  test("closes sockets that send a big frame instead of holding it: 10 × 59 MiB raise its RSS by a few MiB", async () => {
    const m = await spawnMapper();
    await sleep(300);
    const before = rssOf(m.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(m.pid))), 20);
    const sockets = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        rawWebSocket(m.port, { path: "/register?name=big&port=1", localAddress: `127.0.0.${1 + (i % 2)}` })),
    );
    expect(sockets.map((s) => s.status)).toEqual(Array(10).fill(101));
    await Promise.all(sockets.map((s) => pushFrame(s, 60 * MiB)));
    await Promise.all(sockets.map((s) => Promise.race([s.closed, sleep(3000)])));
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(m.pid));
    expect(sockets.every((s) => s.isClosed())).toBe(true);
    expect(peak - before).toBeLessThan(12 * MiB);
  }, 60_000);

  test("holds at most 8 silent sockets per source, closes them after 2 s, and still registers a node", async () => {
    const m = await spawnMapper();
    const silent = await Promise.all(
      Array.from({ length: 9 }, () => rawWebSocket(m.port, { path: "/register?name=x&port=1", localAddress: "127.0.0.2" })),
    );
    cleanups.push(() => silent.forEach((s) => s.end()));
    expect(silent.map((s) => s.status).sort()).toEqual([...Array(8).fill(101), 503]);
    const r = await registerName(rt, { epmdPort: m.port, name: "real", port: 4001, timeoutMs: 2000 });
    cleanups.push(() => r.close());
    const upgraded = silent.filter((s) => s.status === 101);
    await Promise.all(upgraded.map((s) => Promise.race([s.closed, sleep(4000)])));
    expect(upgraded.every((s) => s.isClosed())).toBe(true);
    // The places are free again.
    const again = await rawWebSocket(m.port, { path: "/register?name=x&port=1", localAddress: "127.0.0.2" });
    again.end();
    expect(again.status).toBe(101);
    expect(m.log()).toContain("registrations from 127.0.0.2 are already in progress");
  }, 20_000);
});

// An address of this host that is not loopback: connections from it are "another host" to the mapper.
const external = Object.values(networkInterfaces()).flat().find((a) => a?.family === "IPv4" && !a.internal)?.address;

describe("the port mapper and other hosts", () => {
  test.skipIf(!external)("refuses their registration sockets before the upgrade, with a message", async () => {
    const m = await startEpmd(rt, { hostname: "0.0.0.0", port: 0 });
    cleanups.push(() => m.stop());
    const ws = await rawWebSocket(m.port, { host: external, path: "/register?name=far&port=1", localAddress: external });
    ws.end();
    expect(ws.status).toBe(403);
    const res = await fetch(`http://${external}:${m.port}/register?name=far&port=1`, {
      headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    const body = await res.json();
    expect(body.error).toBe("not_loopback");
    expect(body.message).toContain(`only nodes on this host may register, and ${external} is not a loopback address`);
  });
});

describe("the port mapper's log and replies", () => {
  test("clip a long requested name and rate-limit refusals per source, saying how many were left out", async () => {
    const m = await spawnMapper();
    const long = "n".repeat(5000);
    const refusal = async () => {
      const ws = await rawWebSocket(m.port, { path: `/register?name=${long}&port=1` });
      ws.send(new TextEncoder().encode(JSON.stringify({ kind: "register" })));
      await Promise.race([ws.closed, sleep(2000)]);
      ws.end();
      return ws.messages.map((b) => new TextDecoder().decode(b)).join("");
    };
    const reply = await refusal();
    expect(reply).toContain("invalid name");
    expect(reply.length).toBeLessThan(600);
    for (let i = 0; i < 20; i++) await refusal();
    await sleep(1200);
    await refusal();
    await waitFor("the last refusal in the log", () => /suppressed=\d+/.test(m.log()), 3000);
    const lines = m.log().split("\n").filter((l) => l.includes("epmd_refused"));
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(800);
    expect(Number(/suppressed=(\d+)/.exec(m.log())![1])).toBeGreaterThanOrEqual(10);

    const res = await fetch(`http://127.0.0.1:${m.port}/names/${"x".repeat(5000)}`);
    expect(res.status).toBe(404);
    expect((await res.text()).length).toBeLessThan(600);
  }, 30_000);
});

describe("the port mapper's HTTP connections", () => {
  test("closes a keep-alive connection left idle, but not a registration", async () => {
    const m = await startEpmd(rt, { hostname: "127.0.0.1", port: 0, idleTimeoutSeconds: 1 });
    cleanups.push(() => m.stop());
    const r = await registerName(rt, { epmdPort: m.port, name: "kept", port: 4001 });
    cleanups.push(() => r.close());
    let lost = "";
    r.onLost((why) => (lost = why));
    const socket = connect({ host: "127.0.0.1", port: m.port });
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => {});
    let answer = "";
    socket.on("data", (d) => (answer += d.toString()));
    socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await waitFor("the answer", () => answer.includes("meshrpc-epmd"), 2000);
    await waitFor("the idle connection to be closed", () => closed, 12_000);
    expect(lost).toBe("");
    expect(m.registry.get("kept")?.port).toBe(4001);
  }, 20_000);
});

describe("a node's name across a port mapper restart", () => {
  test("goes back to the node, not to a squatter that asks first", async () => {
    cluster = new Cluster();
    const port = await freePort();
    // Where a node that starts the mapper itself keeps its state: whichever mapper wins the port reads it.
    const state = ["--state-file", join(cluster.dir, `epmd-${port}.state`)];
    const first = await spawnMapper(state, port);
    cluster.epmdPort = port;
    const node = await cluster.start("victim");
    await waitFor("the node's registration", async () => {
      try {
        return (await lookupPort({ host: "127.0.0.1", epmdPort: port, name: "victim" })) === node.port;
      } catch {
        return false;
      }
    });

    first.proc.kill("SIGKILL");
    await first.proc.exited;
    // The squatter knocks every few ms from the moment the old mapper is gone.
    const outcomes: string[] = [];
    let squatting = true;
    let squatted: Registration | undefined;
    const squatter = (async () => {
      while (squatting && !squatted) {
        try {
          squatted = await registerName(rt, { epmdPort: port, name: "victim", port: 9, timeoutMs: 1000 });
        } catch (err) {
          outcomes.push(err instanceof EpmdError ? err.message : String(err));
          await sleep(5);
        }
      }
    })();
    // The node starts one too when it finds none: whichever binds first answers, and reads the same state.
    await spawnMapper(state, port).catch(() => undefined);
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json() as { pid: number };
    cluster.track(health.pid);

    await waitFor("the node to have its name back", async () => {
      try {
        return (await lookupPort({ host: "127.0.0.1", epmdPort: port, name: "victim" })) === node.port;
      } catch {
        return false;
      }
    }, 10_000);
    await sleep(300);
    squatting = false;
    await squatter;
    await squatted?.close();
    expect(squatted).toBeUndefined();
    // The squatter reached the new mapper and was refused: by the reservation, or (when the
    // node was quicker still) because the node holds the name again.
    expect(outcomes.some((o) =>
      o.includes("reserved for the node that held it before the port mapper restarted") ||
      o.includes(`is already registered by port ${node.port}`)
    )).toBe(true);
    expect(await lookupPort({ host: "127.0.0.1", epmdPort: port, name: "victim" })).toBe(node.port);
  }, 40_000);
});
