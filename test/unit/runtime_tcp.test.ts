import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { loadRuntime, type Runtime, type TcpServer, type TcpStream } from "../../lib/runtime/mod.ts";

let rt: Runtime;
const servers: TcpServer[] = [];
const streams: TcpStream[] = [];

beforeAll(async () => {
  rt = await loadRuntime();
});

afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const s of servers.splice(0)) await s.close();
});

/** A server that echoes every chunk, and a client connected to it. */
async function echoPair(): Promise<{ server: TcpServer; client: TcpStream }> {
  const server = await rt.listenTcp({ hostname: "127.0.0.1", port: 0 }, (s) => {
    streams.push(s);
    s.listen({ data: (chunk) => s.write(chunk), close: () => {} });
  });
  servers.push(server);
  const client = await rt.connectTcp("127.0.0.1", server.port, { timeoutMs: 2000 });
  streams.push(client);
  return { server, client };
}

function collect(stream: TcpStream): { bytes: () => number; closed: Promise<Error | undefined> } {
  let n = 0;
  const closed = new Promise<Error | undefined>((resolve) => {
    stream.listen({ data: (c) => (n += c.length), close: resolve });
  });
  return { bytes: () => n, closed };
}

describe("the runtime's TCP", () => {
  test("bytes written come back through an echo server, in order", async () => {
    const { client } = await echoPair();
    const got: number[] = [];
    const done = new Promise<void>((resolve) => {
      client.listen({
        data: (c) => {
          got.push(...c);
          if (got.length === 6) resolve();
        },
        close: () => {},
      });
    });
    client.write(new Uint8Array([1, 2, 3]));
    client.write(new Uint8Array([4, 5, 6]));
    await done;
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.remotePort).toBe(servers[0].port);
    expect(client.localPort).toBeGreaterThan(0);
  });

  test("chunks that arrive before listen() are kept", async () => {
    let accepted!: TcpStream;
    const ready = new Promise<void>((resolve) => {
      void rt.listenTcp({ hostname: "127.0.0.1", port: 0 }, (s) => {
        accepted = s;
        streams.push(s);
        resolve();
      }).then(async (server) => {
        servers.push(server);
        const c = await rt.connectTcp("127.0.0.1", server.port, { timeoutMs: 2000 });
        streams.push(c);
        c.write(new Uint8Array([9, 9]));
        c.end();
      });
    });
    await ready;
    await new Promise((r) => setTimeout(r, 100));
    const seen = collect(accepted);
    expect(await seen.closed).toBeUndefined();
    expect(seen.bytes()).toBe(2);
  });

  test("a write over the high water mark asks the writer to wait for drained()", async () => {
    const { client } = await echoPair();
    const seen = collect(client);
    const big = new Uint8Array(8 << 20);
    expect(client.write(big)).toBe(false);
    await client.drained();
    while (seen.bytes() < big.length) await new Promise((r) => setTimeout(r, 10));
    expect(seen.bytes()).toBe(big.length);
  });

  test("close() on one side runs the other side's close handler once", async () => {
    const { client } = await echoPair();
    const seen = collect(client);
    streams[0].close();
    expect(await seen.closed).toBeUndefined();
    expect(client.write(new Uint8Array([1]))).toBe(false);
    await client.drained();
  });

  test("connecting to a closed port rejects with what failed", async () => {
    const server = await rt.listenTcp({ hostname: "127.0.0.1", port: 0 }, () => {});
    const port = server.port;
    await server.close();
    await expect(rt.connectTcp("127.0.0.1", port, { timeoutMs: 2000 })).rejects.toThrow(`Cannot connect to 127.0.0.1:${port}`);
  });

  test("listening on a taken port rejects", async () => {
    const server = await rt.listenTcp({ hostname: "127.0.0.1", port: 0 }, () => {});
    servers.push(server);
    await expect(rt.listenTcp({ hostname: "127.0.0.1", port: server.port }, () => {})).rejects.toThrow("Cannot listen");
  });
});
