/**
 * The WebSocket client's framing (lib/runtime/ws_frames.ts) and handshake
 * checks (lib/runtime/ws_handshake.ts), on bytes alone: no sockets.
 */
import { describe, expect, test } from "bun:test";
import { closePayload, encodeFrame, type FrameSink, FrameReader, OP_BINARY, OP_CLOSE, OP_PING } from "../../lib/runtime/ws_frames.ts";
import { acceptFor, checkResponse, headEnd, upgradeRequest } from "../../lib/runtime/ws_handshake.ts";

/** A frame as a server sends it (never masked). */
function serverFrame(opcode: number, payload: Uint8Array, fin = true, extra = 0): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? [n] : n < 0x10000 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return new Uint8Array([(fin ? 0x80 : 0) | extra | opcode, ...head, ...payload]);
}

function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
}

/** Everything a reader reported, in order. */
function recorder() {
  const events: unknown[] = [];
  const sink: FrameSink = {
    message: (d) => events.push(["message", d]),
    ping: (p) => events.push(["ping", p]),
    pong: (p) => events.push(["pong", p]),
    close: (code, reason) => events.push(["close", code, reason]),
    fail: (code, reason) => events.push(["fail", code, reason]),
  };
  return { events, sink };
}

/** Feeds `data` to a fresh reader in chunks of `step` bytes. */
function read(data: Uint8Array, step: number, max = 1 << 20) {
  const { events, sink } = recorder();
  const reader = new FrameReader(max, sink);
  for (let at = 0; at < data.length; at += step) reader.push(data.subarray(at, at + step));
  return events;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

describe("encodeFrame", () => {
  for (const [n, headLength] of [[0, 6], [125, 6], [126, 8], [65535, 8], [65536, 14], [300_000, 14]]) {
    test(`a ${n}-byte payload: FIN, opcode, mask bit, length and masked bytes`, () => {
      const payload = bytes(n);
      const mask = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
      const frame = encodeFrame(OP_BINARY, payload, mask);
      expect(frame.length).toBe(headLength + n);
      expect(frame[0]).toBe(0x82);
      expect(frame[1] & 0x80).toBe(0x80);
      const short = frame[1] & 0x7f;
      const length = short < 126 ? short : short === 126 ? (frame[2] << 8) | frame[3] : new DataView(frame.buffer, frame.byteOffset).getUint32(6);
      expect(length).toBe(n);
      expect([...frame.subarray(headLength - 4, headLength)]).toEqual([...mask]);
      const unmasked = frame.subarray(headLength).map((b, i) => b ^ mask[i & 3]);
      expect(unmasked.length === n && unmasked.every((b, i) => b === payload[i])).toBe(true);
    });
  }

  test("copies the payload: the caller may reuse its buffer", () => {
    const payload = bytes(10);
    const frame = encodeFrame(OP_BINARY, payload, new Uint8Array(4));
    payload.fill(0);
    expect(frame.subarray(6)).toEqual(bytes(10));
  });

  test("uses a fresh random mask by default", () => {
    const a = encodeFrame(OP_BINARY, bytes(8));
    const b = encodeFrame(OP_BINARY, bytes(8));
    expect(a.subarray(2, 14)).not.toEqual(b.subarray(2, 14));
  });

  test("a close payload is the code then the reason; 1005 and 1006 send none", () => {
    expect([...closePayload(1000, "ok")]).toEqual([0x03, 0xe8, 0x6f, 0x6b]);
    expect(closePayload(1005, "x").length).toBe(0);
    expect(closePayload(1006, "x").length).toBe(0);
  });
});

describe("FrameReader", () => {
  for (const n of [0, 125, 126, 65535, 65536]) {
    for (const step of [1, 7, 1 << 20]) {
      test(`reads a ${n}-byte binary frame fed ${step} bytes at a time`, () => {
        const events = read(serverFrame(OP_BINARY, bytes(n)), step);
        expect(events).toEqual([["message", bytes(n)]]);
      });
    }
  }

  test("joins a message sent in continuation frames, with a ping between them", () => {
    const data = concat(
      serverFrame(OP_BINARY, bytes(100), false),
      serverFrame(OP_PING, new Uint8Array([1, 2])),
      serverFrame(0, bytes(70_000).subarray(100), false),
      serverFrame(0, new Uint8Array(0), true),
      serverFrame(OP_BINARY, bytes(3)),
    );
    expect(read(data, 1000)).toEqual([["ping", new Uint8Array([1, 2])], ["message", bytes(70_000).subarray(0, 70_000)], ["message", bytes(3)]]);
  });

  test("reports a close frame's code and reason, and nothing after it", () => {
    const data = concat(serverFrame(OP_CLOSE, closePayload(4001, "gone away")), serverFrame(OP_BINARY, bytes(5)));
    expect(read(data, 3)).toEqual([["close", 4001, "gone away"]]);
    expect(read(serverFrame(OP_CLOSE, new Uint8Array(0)), 1)).toEqual([["close", 1005, ""]]);
  });

  test("refuses a frame over the limit from its header, before its payload arrives", () => {
    const head = serverFrame(OP_BINARY, bytes(1001)).subarray(0, 4);
    expect(read(head, 4, 1000)).toEqual([["fail", 1009, "message too big"]]);
    const huge = new Uint8Array([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(read(huge, 10, 1000)).toEqual([["fail", 1009, "message too big"]]);
    expect(read(serverFrame(OP_BINARY, bytes(1000)), 100, 1000)).toEqual([["message", bytes(1000)]]);
  });

  test("refuses fragments that add up to more than the limit", () => {
    const data = concat(serverFrame(OP_BINARY, bytes(600), false), serverFrame(0, bytes(600), true).subarray(0, 4));
    expect(read(data, 50, 1000)).toEqual([["fail", 1009, "message too big"]]);
  });

  test("closes on text (1003) and on protocol errors (1002), and reads no further", () => {
    const code = (data: Uint8Array) => (read(data, 1)[0] as unknown[]).slice(0, 2);
    expect(code(serverFrame(1, bytes(3)))).toEqual(["fail", 1003]);
    expect(code(new Uint8Array([0x82, 0x81, 1, 2, 3, 4, 5]))).toEqual(["fail", 1002]); // masked
    expect(code(serverFrame(0, bytes(3)))).toEqual(["fail", 1002]); // continuation of nothing
    expect(code(concat(serverFrame(OP_BINARY, bytes(3), false), serverFrame(OP_BINARY, bytes(3))))).toEqual(["fail", 1002]);
    expect(code(serverFrame(OP_PING, bytes(126)))).toEqual(["fail", 1002]); // control frame too long
    expect(code(serverFrame(OP_PING, bytes(3), false))).toEqual(["fail", 1002]); // fragmented control frame
    expect(code(serverFrame(OP_BINARY, bytes(3), true, 0x40))).toEqual(["fail", 1002]); // reserved bit
    expect(code(serverFrame(0x3, bytes(3)))).toEqual(["fail", 1002]); // unknown opcode
    expect(read(concat(serverFrame(1, bytes(3)), serverFrame(OP_BINARY, bytes(3))), 2).length).toBe(1);
  });
});

describe("the opening handshake", () => {
  const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  const ok = (accept: string) =>
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}`;

  test("computes RFC 6455's sample accept key", async () => {
    expect(await acceptFor(KEY)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  test("asks for the URL's path and query on its host", () => {
    const text = new TextDecoder().decode(upgradeRequest(new URL("ws://[::1]:4000/dist?x=1"), KEY));
    expect(text).toStartWith("GET /dist?x=1 HTTP/1.1\r\nHost: [::1]:4000\r\n");
    expect(text).toContain(`Sec-WebSocket-Key: ${KEY}\r\n`);
    expect(text).toEndWith("Sec-WebSocket-Version: 13\r\n\r\n");
  });

  test("accepts a proper 101 and says what is wrong with anything else", async () => {
    expect(await checkResponse(ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), KEY)).toBeUndefined();
    expect(await checkResponse(ok("wrong"), KEY)).toContain("Sec-WebSocket-Accept that does not match");
    expect(await checkResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 0", KEY)).toBe("answered HTTP 404 Not Found");
    expect(await checkResponse("SSH-2.0-OpenSSH", KEY)).toContain("no HTTP/1.1 status line");
    expect(await checkResponse(ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") + "\r\nSec-WebSocket-Extensions: permessage-deflate", KEY))
      .toContain("extension");
  });

  test("finds the blank line that ends the head, also from an offset", () => {
    const b = new TextEncoder().encode("HTTP/1.1 101 X\r\nA: b\r\n\r\nrest");
    expect(headEnd(b)).toBe(b.length - 4);
    expect(headEnd(b, 20)).toBe(b.length - 4);
    expect(headEnd(b.subarray(0, b.length - 6))).toBe(-1);
  });
});
