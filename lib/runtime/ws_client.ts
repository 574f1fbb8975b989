/**
 * A WebSocket client over any byte connection (`ByteConn`: what `Deno.Conn`
 * offers): the opening handshake, then a `Transport` that sends each message
 * as one masked frame in one write, in order, and reads frames with
 * `FrameReader`. Written for Deno, whose built-in client sends a frame in two
 * writes with Nagle's algorithm on (a ~44 ms stall per message over 1 KiB);
 * the socket is the caller's to open, with Nagle off.
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import { closeReason } from "../core/websocket.ts";
import type { Transport } from "./types.ts";
import { Inbox } from "./websocket.ts";
import {
  CLOSE_ABNORMAL,
  CLOSE_NO_STATUS,
  CLOSE_NORMAL,
  closePayload,
  encodeFrame,
  FrameReader,
  OP_BINARY,
  OP_CLOSE,
  OP_PONG,
} from "./ws_frames.ts";
import { checkResponse, headEnd, MAX_RESPONSE_HEAD_BYTES, randomKey, upgradeRequest } from "./ws_handshake.ts";

/** The part of a socket this client needs (`Deno.Conn` has it). */
export interface ByteConn {
  /** Reads into `buf`; null at the end of the stream. */
  read(buf: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; returns how much. */
  write(data: Uint8Array): Promise<number>;
  close(): void;
}

/** How long a closing side waits for the peer's close frame before dropping the connection. */
export const CLOSE_WAIT_MS = 1000;

/** Frames queued together are sent in one write up to this many bytes. */
const WRITE_BATCH_BYTES = 64 * 1024;

const READ_BUFFER_BYTES = 64 * 1024;

async function writeAll(conn: ByteConn, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
}

/**
 * Sends the upgrade request for `url` and reads the answer. Returns the bytes
 * that came after the answer's head (the first frames, if any). Throws
 * "not a WebSocket server: ..." when the answer is not an accepted upgrade,
 * or its head passes `MAX_RESPONSE_HEAD_BYTES`.
 */
export async function openingHandshake(conn: ByteConn, url: URL): Promise<Uint8Array> {
  const key = randomKey();
  await writeAll(conn, upgradeRequest(url, key));
  const buf = new Uint8Array(MAX_RESPONSE_HEAD_BYTES);
  let filled = 0;
  const refuse = (why: string) => new Error(`not a WebSocket server: ${url.href} ${why}`);
  for (;;) {
    if (filled === buf.length) throw refuse(`sent an answer whose head is over ${MAX_RESPONSE_HEAD_BYTES} bytes`);
    const n = await conn.read(buf.subarray(filled));
    if (n === null) throw refuse("closed the connection without answering");
    // The blank line may straddle reads: look again from 3 bytes back.
    const end = headEnd(buf.subarray(0, filled + n), Math.max(0, filled - 3));
    filled += n;
    if (end < 0) continue;
    const problem = await checkResponse(new TextDecoder().decode(buf.subarray(0, end - 4)), key);
    if (problem) throw refuse(problem);
    return buf.slice(end, filled);
  }
}

/**
 * The `Transport` over a connection whose handshake is done; `initial` is
 * what arrived after the handshake's answer. A message over
 * `maxMessageBytes` closes the connection with 1009 before it is buffered.
 */
export function clientTransport(conn: ByteConn, remoteAddress: string, maxMessageBytes: number, initial: Uint8Array): Transport {
  const inbox = new Inbox();
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;
  // open, then closing (a close frame sent or being sent), then closed (the socket too).
  let state: "open" | "closing" | "closed" = "open";
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  let closeAfterFlush = false;
  // A function, not a comparison: the state changes across the awaits below.
  const closed = () => state === "closed";

  const shut = () => {
    if (state === "closed") return;
    state = "closed";
    clearTimeout(closeTimer);
    queue.length = 0;
    queued = 0;
    try {
      conn.close();
    } catch {
      // Already closed by the other side.
    }
  };

  const enqueue = (frame: Uint8Array) => {
    queue.push(frame);
    queued += frame.length;
    if (!writing) void flush();
  };

  // Writes queued frames in order, several small ones in one write.
  async function flush(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0 && !closed()) {
        let count = 1;
        let bytes = queue[0].length;
        while (count < queue.length && bytes + queue[count].length <= WRITE_BATCH_BYTES) bytes += queue[count++].length;
        const batch = count === 1 ? queue[0] : concatBytes(queue.slice(0, count));
        await writeAll(conn, batch);
        if (closed()) break;
        queue.splice(0, count);
        queued -= bytes;
      }
    } catch {
      inbox.close(CLOSE_ABNORMAL, "connection error");
      shut();
    }
    writing = false;
    if (closeAfterFlush) shut();
  }

  // Sends a close frame, reports the close, and drops the connection once the peer answers (or does not, in time).
  const startClose = (code: number, reason: string) => {
    if (state !== "open") return;
    state = "closing";
    enqueue(encodeFrame(OP_CLOSE, closePayload(code, closeReason(reason))));
    closeTimer = setTimeout(shut, CLOSE_WAIT_MS);
    inbox.close(code, reason);
  };

  const reader = new FrameReader(maxMessageBytes, {
    message(data) {
      if (state === "open") inbox.message(data);
    },
    ping(payload) {
      if (state === "open") enqueue(encodeFrame(OP_PONG, payload));
    },
    pong() {},
    close(code, reason) {
      if (state === "closing") return shut();
      if (state !== "open") return;
      // Answer with the same code (none for 1005), then drop the connection once it is written.
      state = "closing";
      enqueue(encodeFrame(OP_CLOSE, closePayload(code, "")));
      closeAfterFlush = true;
      if (!writing) shut();
      inbox.close(code, reason);
    },
    fail: startClose,
  });

  void (async () => {
    const buf = new Uint8Array(READ_BUFFER_BYTES);
    try {
      if (initial.length > 0) reader.push(initial);
      while (!closed()) {
        const n = await conn.read(buf);
        if (n === null) break;
        reader.push(buf.subarray(0, n));
      }
    } catch {
      // A reset, or the socket closed under the read: the same as its end.
    }
    inbox.close(CLOSE_ABNORMAL, "connection closed without a close frame");
    shut();
  })();

  return {
    remoteAddress,
    get bufferedAmount() {
      return state === "closed" ? 0 : queued;
    },
    send(data) {
      // The frame is a fresh buffer: the caller may reuse `data` at once.
      if (state === "open") enqueue(encodeFrame(OP_BINARY, data));
    },
    close(code = CLOSE_NORMAL, reason = "") {
      startClose(code === CLOSE_NO_STATUS ? CLOSE_NORMAL : code, reason);
      // A second close, or one after the peer's: handlers have run once already.
      inbox.close(code, reason);
    },
    listen: (h) => inbox.listen(h),
  };
}
