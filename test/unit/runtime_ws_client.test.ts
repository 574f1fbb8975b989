/**
 * The WebSocket client transport (lib/runtime/ws_client.ts) over a fake
 * connection: what it writes, when it closes, what its handlers hear.
 */
import { describe, expect, test } from "bun:test";
import { type ByteConn, clientTransport, openingHandshake } from "../../lib/runtime/ws_client.ts";
import { closePayload, OP_BINARY, OP_CLOSE, OP_PING } from "../../lib/runtime/ws_frames.ts";
import { acceptFor } from "../../lib/runtime/ws_handshake.ts";

/** A connection whose reads are fed by the test and whose writes are recorded; writes finish when `release` says. */
class FakeConn implements ByteConn {
  written: Uint8Array[] = [];
  closed = false;
  #chunks: (Uint8Array | null)[] = [];
  #reader?: () => void;
  #pendingWrites: (() => void)[] = [];
  holdWrites = false;

  feed(chunk: Uint8Array | null): void {
    this.#chunks.push(chunk);
    this.#reader?.();
  }
  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.closed) throw new Error("closed");
      await new Promise<void>((r) => (this.#reader = r));
    }
    const chunk = this.#chunks.shift()!;
    if (chunk === null) return null;
    buf.set(chunk);
    return chunk.length;
  }
  async write(data: Uint8Array): Promise<number> {
    if (this.closed) throw new Error("closed");
    if (this.holdWrites) await new Promise<void>((r) => this.#pendingWrites.push(r));
    this.written.push(data.slice());
    return data.length;
  }
  release(): void {
    this.holdWrites = false;
    for (const r of this.#pendingWrites.splice(0)) r();
  }
  close(): void {
    this.closed = true;
    this.#reader?.();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function unmask(frame: Uint8Array): { opcode: number; payload: Uint8Array } {
  const short = frame[1] & 0x7f;
  const head = short < 126 ? 2 : short === 126 ? 4 : 10;
  const mask = frame.subarray(head, head + 4);
  return { opcode: frame[0] & 0x0f, payload: frame.subarray(head + 4).map((b, i) => b ^ mask[i & 3]) };
}

function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  return new Uint8Array([0x80 | opcode, payload.length, ...payload]);
}

function open(max = 1 << 20) {
  const conn = new FakeConn();
  const t = clientTransport(conn, "127.0.0.1", max, new Uint8Array(0));
  const heard: unknown[] = [];
  t.listen({ message: (d) => heard.push(["message", d]), close: (c, r) => heard.push(["close", c, r]) });
  return { conn, t, heard };
}

describe("clientTransport", () => {
  test("sends each message as one masked binary frame, in order, and copies it", async () => {
    const { conn, t } = open();
    const data = new Uint8Array([1, 2, 3]);
    t.send(data);
    data.fill(9);
    t.send(new Uint8Array(2000));
    await tick();
    const frames = conn.written.length === 1 ? [conn.written[0].subarray(0, 9), conn.written[0].subarray(9)] : conn.written;
    expect(unmask(frames[0])).toEqual({ opcode: OP_BINARY, payload: new Uint8Array([1, 2, 3]) });
    expect(unmask(frames[1])).toEqual({ opcode: OP_BINARY, payload: new Uint8Array(2000) });
  });

  test("counts bytes not yet written in bufferedAmount", async () => {
    const { conn, t } = open();
    conn.holdWrites = true;
    t.send(new Uint8Array(100));
    t.send(new Uint8Array(200));
    expect(t.bufferedAmount).toBe(100 + 6 + 200 + 8);
    conn.release();
    await tick();
    expect(t.bufferedAmount).toBe(0);
  });

  test("delivers messages, answers a ping with a pong", async () => {
    const { conn, heard } = open();
    conn.feed(new Uint8Array([...serverFrame(OP_BINARY, new Uint8Array([5])), ...serverFrame(OP_PING, new Uint8Array([7, 8]))]));
    await tick();
    expect(heard).toEqual([["message", new Uint8Array([5])]]);
    expect(unmask(conn.written[0])).toEqual({ opcode: 0xa, payload: new Uint8Array([7, 8]) });
  });

  test("answers the peer's close, reports its code and reason once, then drops the connection", async () => {
    const { conn, t, heard } = open();
    conn.feed(serverFrame(OP_CLOSE, closePayload(4000, "bye")));
    await tick();
    expect(heard).toEqual([["close", 4000, "bye"]]);
    expect(unmask(conn.written[0])).toEqual({ opcode: OP_CLOSE, payload: closePayload(4000, "") });
    expect(conn.closed).toBe(true);
    t.close();
    t.send(new Uint8Array(1));
    expect(heard.length).toBe(1);
    expect(t.bufferedAmount).toBe(0);
  });

  test("close sends a close frame, reports once, and drops the connection when the peer answers", async () => {
    const { conn, t, heard } = open();
    t.close(4321, "done here");
    t.close(1000, "again");
    expect(heard).toEqual([["close", 4321, "done here"]]);
    await tick();
    expect(unmask(conn.written[0])).toEqual({ opcode: OP_CLOSE, payload: closePayload(4321, "done here") });
    expect(conn.closed).toBe(false);
    conn.feed(serverFrame(OP_CLOSE, closePayload(4321, "")));
    await tick();
    expect(conn.closed).toBe(true);
  });

  test("a message over the limit closes with 1009; text with 1003; the end of the stream is 1006", async () => {
    const big = open(10);
    big.conn.feed(new Uint8Array([0x82, 11]));
    await tick();
    expect(big.heard).toEqual([["close", 1009, "message too big"]]);
    expect(unmask(big.conn.written[0]).payload.subarray(0, 2)).toEqual(new Uint8Array([0x03, 0xf1]));
    const text = open();
    text.conn.feed(serverFrame(1, new Uint8Array([104, 105])));
    await tick();
    expect(text.heard).toEqual([["close", 1003, "binary frames only"]]);
    const cut = open();
    cut.conn.feed(null);
    await tick();
    expect(cut.heard).toEqual([["close", 1006, "connection closed without a close frame"]]);
    expect(cut.conn.closed).toBe(true);
  });
});

describe("openingHandshake", () => {
  async function answer(conn: FakeConn, head: (accept: string) => string, rest = new Uint8Array(0)) {
    await tick();
    const request = new TextDecoder().decode(conn.written[0]);
    const key = /Sec-WebSocket-Key: (.*)\r\n/.exec(request)![1];
    const text = new TextEncoder().encode(head(await acceptFor(key)));
    // Split across reads, the blank line too.
    conn.feed(text.subarray(0, text.length - 2));
    conn.feed(new Uint8Array([...text.subarray(text.length - 2), ...rest]));
  }

  test("returns what followed the 101 answer", async () => {
    const conn = new FakeConn();
    const done = openingHandshake(conn, new URL("ws://127.0.0.1:1/dist"));
    const head = (a: string) => `HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${a}\r\n\r\n`;
    await answer(conn, head, new Uint8Array([0x82, 0]));
    expect(await done).toEqual(new Uint8Array([0x82, 0]));
  });

  test("refuses another answer, or a head over 8 KiB, as not a WebSocket server", async () => {
    const conn = new FakeConn();
    const done = openingHandshake(conn, new URL("ws://127.0.0.1:1/dist"));
    await answer(conn, () => "HTTP/1.1 400 Bad Request\r\n\r\n");
    await expect(done).rejects.toThrow("not a WebSocket server: ws://127.0.0.1:1/dist answered HTTP 400 Bad Request");
    const flood = new FakeConn();
    const flooded = openingHandshake(flood, new URL("ws://127.0.0.1:1/dist"));
    for (let i = 0; i < 10; i++) flood.feed(new Uint8Array(1024).fill(65));
    await expect(flooded).rejects.toThrow("head is over 8192 bytes");
  });
});
