/**
 * Erlang distribution packets over a byte stream: a 2-byte length before
 * each handshake message, a 4-byte one after it (length 0 is a tick). The
 * stream's chunks are kept in a list and joined only when a whole packet is
 * there (joining on every read makes a large message quadratic); a length
 * over the limit ends the stream before anything is buffered for it.
 *
 * @module
 */

/** A duplex byte stream: what this code needs of the runtime's `TcpStream`. */
export interface ByteStream {
  /** Queues bytes; a no-op once closed. */
  write(data: Uint8Array): unknown;
  /** Closes the connection; the close handler then runs once. */
  close(): void;
  /** Sets the handlers; bytes that arrived before are kept and delivered. */
  listen(handlers: { data(chunk: Uint8Array): void; close(error?: Error): void }): void;
  /** The peer's address, for log lines. */
  readonly remoteAddress: string;
}

/** Time, as the protocol code sees it (the distribution layer's `Clock` fits). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Why no more packets come. */
export type Ended = { kind: "closed"; message: string } | { kind: "too_large"; length: number; max: number };

/** A packet announced longer than the limit: the stream must be closed. */
export class PacketTooLarge extends RangeError {
  override name = "PacketTooLarge";
  constructor(readonly length: number, readonly max: number) {
    super(`A packet of ${length} bytes is over the limit of ${max}`);
  }
}

/** Splits a byte stream into length-prefixed packets. */
export class PacketReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** 2 during the handshake, 4 after it. */
  headerBytes: 2 | 4 = 2;
  /** The largest packet accepted; a larger length is refused before it is read. */
  max: number;

  constructor(max: number) {
    this.max = max;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The next whole packet, undefined while it is still incomplete. Throws
   * PacketTooLarge when the announced length is over `max`: the stream must
   * then be closed.
   */
  next(): Uint8Array | undefined {
    const h = this.headerBytes;
    if (this.#buffered < h) return undefined;
    const head = this.#peek(h);
    const length = h === 2 ? (head[0] << 8) | head[1] : ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    if (length > this.max) throw new PacketTooLarge(length, this.max);
    if (this.#buffered < h + length) return undefined;
    this.#take(h);
    return this.#take(length);
  }

  /** Bytes held but not yet returned. */
  get buffered(): number {
    return this.#buffered;
  }

  #peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.#chunks) {
      const part = c.subarray(0, n - at);
      out.set(part, at);
      at += part.length;
      if (at === n) break;
    }
    return out;
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      // The common case: the packet lies in one chunk.
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const part = c.subarray(0, n - at);
      out.set(part, at);
      at += part.length;
      if (part.length === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(part.length);
    }
    this.#buffered -= n;
    return out;
  }
}

/** `payload` with its big-endian length before it (2 or 4 bytes). */
export function framed(payload: Uint8Array, headerBytes: 2 | 4): Uint8Array {
  const out = new Uint8Array(headerBytes + payload.length);
  const v = new DataView(out.buffer);
  if (headerBytes === 2) v.setUint16(0, payload.length);
  else v.setUint32(0, payload.length);
  out.set(payload, headerBytes);
  return out;
}
