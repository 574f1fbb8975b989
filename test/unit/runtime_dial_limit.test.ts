import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { loadRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import type { Server as BunServer } from "bun";

let rt: Runtime;
const servers: BunServer<undefined>[] = [];

beforeAll(async () => {
  rt = await loadRuntime();
});

afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/** A WebSocket server that sends `size` bytes to whoever connects, before any word from them. */
function talkativeServer(size: number): string {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("upgrade", { status: 400 })),
    websocket: { open: (ws) => void ws.send(new Uint8Array(size)), message() {} },
  });
  servers.push(server);
  return `ws://127.0.0.1:${server.port}/dist`;
}

function received(url: string, maxMessageBytes: number): Promise<{ messages: number; close?: number }> {
  return rt.dial(url, { timeoutMs: 2000, maxMessageBytes }).then((t) =>
    new Promise((resolve) => {
      let messages = 0;
      t.listen({
        message: () => void messages++,
        close: (code) => resolve({ messages, close: code }),
      });
      // A message under the limit arrives and the connection stays open.
      setTimeout(() => {
        t.close();
        resolve({ messages });
      }, 500);
    })
  );
}

describe("a dialled connection bounds what the other side may send", () => {
  test("a message over maxMessageBytes closes the connection with 1009 and is not delivered", async () => {
    expect(await received(talkativeServer(300 * 1024), 256 * 1024)).toEqual({ messages: 0, close: 1009 });
  });

  test("a message within the limit is delivered", async () => {
    expect((await received(talkativeServer(1000), 256 * 1024)).messages).toBe(1);
  });
});
