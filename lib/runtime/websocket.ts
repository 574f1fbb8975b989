/**
 * A `Transport` over a standard `WebSocket` (the client side on both
 * runtimes, and Deno's server side), and the buffering every transport
 * shares: messages that arrive before the protocol listens are kept.
 *
 * @module
 */
import type { DialOptions, Transport, TransportHandlers } from "./types.ts";

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

/** A request that asks for a WebSocket. */
export function isUpgrade(req: Request): boolean {
  return req.headers.get("upgrade")?.toLowerCase() === "websocket";
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** Wraps an open (or opening) standard WebSocket. */
export function webSocketTransport(ws: WebSocket, remoteAddress: string): Transport {
  const inbox = new Inbox();
  ws.binaryType = "arraybuffer";
  ws.addEventListener("message", (ev) => {
    const bytes = toBytes(ev.data);
    // Text frames are not part of any meshrpc protocol: treat them as a broken peer.
    if (bytes) inbox.message(bytes);
    else ws.close(1003, "binary frames only");
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
    send(data) {
      if (inbox.closed) return;
      if (early) early.push(data);
      else if (ws.readyState === WebSocket.OPEN) ws.send(data);
    },
    close(code = 1000, reason = "") {
      try {
        ws.close(code, reason.slice(0, 120));
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
export function dialWebSocket(url: string, options: DialOptions): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      reject(new Error(`Cannot open ${url}: ${(err as Error).message}`));
      return;
    }
    const host = new URL(url).hostname;
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`connecting to ${url} timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const onOpen = () => {
      clearTimeout(timer);
      ws.removeEventListener("error", onError);
      resolve(webSocketTransport(ws, host));
    };
    const onError = () => {
      clearTimeout(timer);
      ws.removeEventListener("open", onOpen);
      reject(new Error(`connection to ${url} refused or failed`));
    };
    ws.addEventListener("open", onOpen, { once: true });
    ws.addEventListener("error", onError, { once: true });
  });
}
