/**
 * A `Transport` over a standard `WebSocket` (the client side on both
 * runtimes, and Deno's server side), and the buffering every transport
 * shares: messages that arrive before the protocol listens are kept.
 *
 * @module
 */
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { closeReason } from "../core/websocket.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, type DialOptions, type Transport, type TransportHandlers } from "./types.ts";

/** Holds messages and the close event until a protocol calls `listen`. */
export class Inbox {
  #handlers?: TransportHandlers;
  #queue: Uint8Array[] = [];
  #closed?: { code: number; reason: string };

  listen(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    for (const m of this.#queue.splice(0)) handlers.message(m);
    if (this.#closed) handlers.close(this.#closed.code, this.#closed.reason);
  }

  message(data: Uint8Array): void {
    if (this.#closed) return;
    if (this.#handlers) this.#handlers.message(data);
    else this.#queue.push(data);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = { code, reason };
    this.#handlers?.close(code, reason);
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** Wraps an open (or opening) standard WebSocket. */
export function webSocketTransport(ws: WebSocket, remoteAddress: string, maxMessageBytes = Infinity): Transport {
  const inbox = new Inbox();
  ws.binaryType = "arraybuffer";
  ws.addEventListener("message", (ev) => {
    const bytes = toBytes(ev.data);
    // Text frames are not part of any meshrpc protocol: treat them as a broken peer.
    if (!bytes) ws.close(1003, "binary frames only");
    else if (bytes.length > maxMessageBytes) ws.close(1009, "message too big");
    else inbox.message(bytes);
  });
  ws.addEventListener("close", (ev) => inbox.close(ev.code, ev.reason));
  ws.addEventListener("error", () => inbox.close(1006, "connection error"));
  // Deno hands over a server-side socket before it is open: hold what is sent until then.
  let early: Uint8Array[] | undefined;
  if (ws.readyState === WebSocket.CONNECTING) {
    early = [];
    ws.addEventListener("open", () => {
      for (const data of early ?? []) ws.send(data);
      early = undefined;
    }, { once: true });
  }
  return {
    remoteAddress,
    get bufferedAmount() {
      return (early?.reduce((n, d) => n + d.length, 0) ?? 0) + (inbox.closed ? 0 : ws.bufferedAmount);
    },
    send(data) {
      if (inbox.closed) return;
      // Kept until the socket opens: copied, as a send does.
      if (early) early.push(data.slice());
      else if (ws.readyState === WebSocket.OPEN) ws.send(data);
    },
    close(code = 1000, reason = "") {
      try {
        ws.close(code, closeReason(reason));
      } catch {
        ws.close();
      }
      inbox.close(code, reason);
    },
    listen: (h) => inbox.listen(h),
  };
}

/**
 * Opens a client WebSocket. Rejects with an Error whose message says why
 * (refused, timed out) when it does not open.
 */
export async function dialWebSocket(url: string, options: DialOptions): Promise<Transport> {
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (err) {
    throw new Error(`Cannot open ${url}: ${(err as Error).message}`);
  }
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`connection to ${url} refused or failed`)), { once: true });
  });
  try {
    await deadline(opened, options.timeoutMs);
  } catch (err) {
    if (!isTimeoutError(err)) throw err;
    ws.close();
    throw new Error(`connecting to ${url} timed out after ${options.timeoutMs} ms`);
  }
  return webSocketTransport(ws, new URL(url).hostname, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
}
