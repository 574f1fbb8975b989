/**
 * A deliberately small WebSocket client over a raw TCP socket, for attack
 * tests: it can bind a chosen loopback source address (127.0.0.2 is another
 * "host" to the node), send frames of any size, and never answer anything.
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";

export interface RawWs {
  socket: Socket;
  /** Resolves when the server closed the TCP connection (or it failed). */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Sends one masked binary message. */
  send(payload: Uint8Array): void;
  /** Sends a frame header announcing `length` bytes and then `sent` bytes of it (a slow or partial upload). */
  sendPartial(length: number, sent: number): void;
  /** Binary messages received so far. */
  messages: Uint8Array[];
  end(): void;
}

function header(length: number): Uint8Array {
  if (length < 126) return Uint8Array.of(0x82, 0x80 | length, 1, 2, 3, 4);
  if (length < 65536) return Uint8Array.of(0x82, 0x80 | 126, length >> 8, length & 255, 1, 2, 3, 4);
  const h = new Uint8Array(14);
  h[0] = 0x82;
  h[1] = 0x80 | 127;
  new DataView(h.buffer).setBigUint64(2, BigInt(length));
  h.set([1, 2, 3, 4], 10);
  return h;
}

function mask(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i] ^ (i % 4 + 1);
  return out;
}

/** Opens `ws://host:port/path` from `localAddress`; resolves once the upgrade is answered (101 or not). */
export function rawWebSocket(
  port: number,
  options: { host?: string; path?: string; localAddress?: string } = {},
): Promise<RawWs & { status: number }> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress: options.localAddress });
    let closedFlag = false;
    const closed = new Promise<void>((r) => {
      socket.on("close", () => {
        closedFlag = true;
        r();
      });
    });
    socket.on("error", () => {});
    const messages: Uint8Array[] = [];
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const ws: RawWs = {
      socket,
      closed,
      isClosed: () => closedFlag,
      messages,
      send: (payload) => {
        socket.write(header(payload.length));
        socket.write(mask(payload));
      },
      sendPartial: (length, sent) => {
        socket.write(header(length));
        socket.write(new Uint8Array(sent));
      },
      end: () => socket.destroy(),
    };
    socket.on("connect", () => {
      socket.write(
        `GET ${options.path ?? "/dist"} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(buffer.subarray(0, end).toString())?.[1] ?? 0);
        buffer = buffer.subarray(end + 4);
        upgraded = true;
        resolve({ ...ws, status });
      }
      // Unmasked server frames with up to 64-bit lengths.
      while (buffer.length >= 2) {
        let len = buffer[1] & 127;
        let off = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          off = 10;
        }
        if (buffer.length < off + len) return;
        if ((buffer[0] & 15) === 2) messages.push(new Uint8Array(buffer.subarray(off, off + len)));
        buffer = buffer.subarray(off + len);
      }
    });
    socket.on("close", () => {
      if (!upgraded) reject(new Error("connection closed before the upgrade was answered"));
    });
  });
}

/** VmRSS of a process, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}
