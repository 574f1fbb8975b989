/**
 * RFC 6455 framing for the client side of a WebSocket, as pure functions
 * over bytes (no sockets): `encodeFrame` builds one masked frame, header and
 * payload in one buffer; `FrameReader` parses what a server sends, chunk by
 * chunk, refusing a message over its size limit before buffering it.
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** Close codes this side sends (RFC 6455 §7.4.1). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** Reported, never sent: the close frame had no code. */
export const CLOSE_NO_STATUS = 1005;
/** Reported, never sent: the connection ended without a close frame. */
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_TOO_BIG = 1009;

/** A control frame's payload is at most 125 bytes (§5.5). */
const MAX_CONTROL_PAYLOAD = 125;

/** 4 random bytes: what a client masks a frame with. */
export function randomMask(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(4));
}

/**
 * One final frame (FIN set) with `payload` masked by `mask` (4 bytes), header
 * and payload in one fresh buffer: the caller may reuse `payload` at once.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, mask: Uint8Array = randomMask()): Uint8Array {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 0x10000 ? 2 : 8;
  const head = 2 + lengthBytes + 4;
  // The payload starts on a 4-byte boundary of the buffer, so it is masked a word at a time.
  const pad = (4 - (head % 4)) % 4;
  const frame = new Uint8Array(pad + head + n).subarray(pad);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame[2] = n >>> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    const view = new DataView(frame.buffer, frame.byteOffset);
    // Lengths stay far below 2^53: the high word is what Math.floor leaves.
    view.setUint32(2, Math.floor(n / 0x100000000));
    view.setUint32(6, n >>> 0);
  }
  frame.set(mask, head - 4);
  frame.set(payload, head);
  maskInPlace(frame.subarray(head), frame.subarray(head - 4, head));
  return frame;
}

/** XORs `data` (starting on a 4-byte boundary of its buffer) with the 4-byte `mask`, repeated. */
function maskInPlace(data: Uint8Array, mask: Uint8Array): void {
  const words = data.length >>> 2;
  // The mask as one word in this machine's byte order, so that word i of data lines up with it.
  const m = new Uint32Array(new Uint8Array([mask[0], mask[1], mask[2], mask[3]]).buffer)[0];
  const view = new Uint32Array(data.buffer, data.byteOffset, words);
  for (let i = 0; i < words; i++) view[i] ^= m;
  for (let i = words << 2; i < data.length; i++) data[i] ^= mask[i & 3];
}

/** A close frame's payload: the code (none for 1005) and the reason (already cut to 123 bytes). */
export function closePayload(code: number, reason: string): Uint8Array {
  if (code === CLOSE_NO_STATUS || code === CLOSE_ABNORMAL) return new Uint8Array(0);
  const text = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** What `FrameReader` reports, in the order frames arrive. */
export interface FrameSink {
  /** A whole binary message (a fresh buffer, the sink's to keep). */
  message(data: Uint8Array): void;
  ping(payload: Uint8Array): void;
  pong(payload: Uint8Array): void;
  /** The peer's close frame. No more frames are read after it. */
  close(code: number, reason: string): void;
  /** The peer broke the protocol or a limit: close with this code. No more frames are read. */
  fail(code: number, reason: string): void;
}

/**
 * Parses server-to-client frames. A message over `maxMessageBytes` (one
 * frame or the sum of its fragments) fails with 1009 as soon as its header
 * says so, before any of its payload is kept.
 */
export class FrameReader {
  readonly #max: number;
  readonly #sink: FrameSink;
  // The header being read: at most 2 + 8 bytes (server frames carry no mask).
  readonly #head = new Uint8Array(10);
  #headLength = 0;
  // The payload being read, once its header is whole.
  #payload?: Uint8Array;
  #filled = 0;
  #opcode = 0;
  #fin = false;
  // Fragments of a message that is not finished yet.
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  #fragmented = false;
  #done = false;

  constructor(maxMessageBytes: number, sink: FrameSink) {
    this.#max = maxMessageBytes;
    this.#sink = sink;
  }

  /** Feeds bytes as they arrive; `chunk` is copied from, never kept. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (!this.#done && at < chunk.length) {
      if (!this.#payload) {
        this.#head[this.#headLength++] = chunk[at++];
        this.#headerComplete();
        continue;
      }
      const take = Math.min(this.#payload.length - this.#filled, chunk.length - at);
      this.#payload.set(chunk.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#payload.length) this.#frameComplete();
    }
  }

  #fail(code: number, reason: string): void {
    this.#done = true;
    this.#payload = undefined;
    this.#fragments = [];
    this.#sink.fail(code, reason);
  }

  /** Checks the header once it has all its bytes, and starts reading the payload. */
  #headerComplete(): void {
    const h = this.#head;
    if (this.#headLength < 2) return;
    const short = h[1] & 0x7f;
    const need = short === 126 ? 4 : short === 127 ? 10 : 2;
    if (this.#headLength < need) return;
    this.#headLength = 0;
    const opcode = h[0] & 0x0f;
    this.#fin = (h[0] & 0x80) !== 0;
    if (h[0] & 0x70) return this.#fail(CLOSE_PROTOCOL_ERROR, "reserved bits set without an extension");
    if (h[1] & 0x80) return this.#fail(CLOSE_PROTOCOL_ERROR, "a server frame must not be masked");
    let length = short;
    if (short === 126) length = (h[2] << 8) | h[3];
    else if (short === 127) {
      const view = new DataView(h.buffer);
      const high = view.getUint32(2);
      // Past 2^32 is past any limit; the check below refuses it without losing precision.
      length = high > 0 ? Infinity : view.getUint32(6);
    }
    const control = opcode >= 0x8;
    if (control) {
      if (opcode !== OP_CLOSE && opcode !== OP_PING && opcode !== OP_PONG) {
        return this.#fail(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
      }
      if (!this.#fin || length > MAX_CONTROL_PAYLOAD) return this.#fail(CLOSE_PROTOCOL_ERROR, "malformed control frame");
    } else if (opcode === OP_TEXT) {
      // Text frames are not part of any meshrpc protocol: treat them as a broken peer.
      return this.#fail(CLOSE_UNSUPPORTED_DATA, "binary frames only");
    } else if (opcode === OP_BINARY) {
      if (this.#fragmented) return this.#fail(CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one");
    } else if (opcode === OP_CONTINUATION) {
      if (!this.#fragmented) return this.#fail(CLOSE_PROTOCOL_ERROR, "a continuation frame with no message to continue");
    } else {
      return this.#fail(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
    }
    if (!control && this.#fragmentBytes + length > this.#max) return this.#fail(CLOSE_TOO_BIG, "message too big");
    this.#opcode = opcode;
    this.#payload = new Uint8Array(length);
    this.#filled = 0;
    if (length === 0) this.#frameComplete();
  }

  #frameComplete(): void {
    const payload = this.#payload as Uint8Array;
    this.#payload = undefined;
    switch (this.#opcode) {
      case OP_PING:
        return this.#sink.ping(payload);
      case OP_PONG:
        return this.#sink.pong(payload);
      case OP_CLOSE:
        return this.#closeFrame(payload);
    }
    if (this.#fin && !this.#fragmented) return this.#sink.message(payload);
    this.#fragments.push(payload);
    this.#fragmentBytes += payload.length;
    this.#fragmented = !this.#fin;
    if (this.#fin) this.#sink.message(this.#joinFragments());
  }

  #joinFragments(): Uint8Array {
    const whole = concatBytes(this.#fragments);
    this.#fragments = [];
    this.#fragmentBytes = 0;
    return whole;
  }

  #closeFrame(payload: Uint8Array): void {
    if (payload.length === 1) return this.#fail(CLOSE_PROTOCOL_ERROR, "a close frame with a 1-byte payload");
    this.#done = true;
    if (payload.length === 0) return this.#sink.close(CLOSE_NO_STATUS, "");
    const code = (payload[0] << 8) | payload[1];
    this.#sink.close(code, new TextDecoder().decode(payload.subarray(2)));
  }
}
