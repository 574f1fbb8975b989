/**
 * Idle HTTP keep-alive connections are closed (issue 7, item 8): 1,100 idle
 * sockets used to hold 1,100 descriptors of the node forever, enough to make
 * a node with the default limit of 1024 unreachable. A call still runs for
 * its whole timeout, however short the idle timeout.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { Cluster, type NodeProc, sleep, waitFor } from "../support/cluster.ts";

setDefaultTimeout(60_000);

const IDLE_SECONDS = 2;
const KEEP_ALIVE_SOCKETS = 1000;
const SILENT_SOCKETS = 100;

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** A socket that has made one keep-alive request (or none) and then sits idle. */
function idleSocket(port: number, request: boolean): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    socket.on("error", () => {});
    socket.once("connect", () => {
      if (!request) return resolve({ socket, closed });
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.once("data", (chunk) => {
        if (!chunk.toString().startsWith("HTTP/1.1 200")) reject(new Error(`unexpected answer: ${chunk}`));
        resolve({ socket, closed });
      });
    });
    socket.once("error", reject);
  });
}

describe("a node closes idle HTTP connections", () => {
  let cluster: Cluster;
  let node: NodeProc;

  beforeAll(async () => {
    cluster = new Cluster();
    node = await cluster.start("idle@localhost", { args: ["--http-idle-timeout", String(IDLE_SECONDS)] });
  });
  afterAll(() => cluster.cleanup());

  test(`${KEEP_ALIVE_SOCKETS + SILENT_SOCKETS} idle sockets are closed by the node, and calls go on meanwhile`, async () => {
    const before = openFds(node.pid);
    const sockets = [];
    for (let i = 0; i < KEEP_ALIVE_SOCKETS + SILENT_SOCKETS; i += 100) {
      sockets.push(...await Promise.all(Array.from({ length: 100 }, (_, j) => idleSocket(node.port, i + j < KEEP_ALIVE_SOCKETS))));
    }
    // The silent ones may still wait in the kernel's accept queue
    expect(openFds(node.pid)).toBeGreaterThanOrEqual(before + KEEP_ALIVE_SOCKETS);
    const held = await cluster.rpc(node.port, { module: "system", function: "info" });
    expect(held.status).toBe(200);

    // Closed by the node, not by us: keep-alive ones after ~IDLE_SECONDS (up to twice that), silent ones after ~10 s
    const started = Date.now();
    await Promise.all(sockets.map((s) => s.closed));
    expect(Date.now() - started).toBeLessThan(20_000);
    await waitFor("the node to release the descriptors", () => openFds(node.pid) < before + 50);
    const after = await cluster.rpc(node.port, { module: "system", function: "info" });
    expect(after.status).toBe(200);
  });

  test("a keep-alive connection is closed after the idle timeout, not before it", async () => {
    const { closed } = await idleSocket(node.port, true);
    const started = Date.now();
    await closed;
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(IDLE_SECONDS - 0.5);
    expect(seconds).toBeLessThan(IDLE_SECONDS * 2 + 2);
  });

  test("a call that runs four times the idle timeout is not cut, and its connection still closes when idle", async () => {
    const { socket, closed } = await idleSocket(node.port, false);
    const body = JSON.stringify({ module: "rpc", function: "sleep", args: [IDLE_SECONDS * 4000], timeout: 15_000 });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.write(
      `POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${cluster.cookie}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const started = Date.now();
    await waitFor("the answer", () => answer.includes("\r\n\r\n") && answer, 15_000);
    expect(answer).toStartWith("HTTP/1.1 200");
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_SECONDS * 4000 - 100);
    // Back to the idle timeout after the answer, not "never"
    const answered = Date.now();
    await Promise.race([closed, sleep(IDLE_SECONDS * 2000 + 4000)]);
    expect(socket.destroyed).toBe(true);
    expect(Date.now() - answered).toBeLessThan(IDLE_SECONDS * 2000 + 4000);
  });
});
