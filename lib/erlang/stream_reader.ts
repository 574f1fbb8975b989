/**
 * Reading a TCP stream as "the next n bytes": chunks are kept in a list and
 * joined only when a read needs them, so a large message costs one copy.
 *
 * @module
 */
import type { TcpStream } from "../runtime/tcp_types.ts";

/** The stream ended before the bytes a read asked for arrived. */
export class StreamClosedError extends Error {
  override name = "StreamClosedError";
}

export class StreamReader {
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(stream: TcpStream) {
    stream.listen({
      data: (chunk) => {
        this.#chunks.push(chunk);
        this.#buffered += chunk.length;
        this.#wake?.();
      },
      close: (error) => {
        this.#closed = true;
        this.#error = error;
        this.#wake?.();
      },
    });
  }

  /** True once the peer closed and every byte was read. */
  get done(): boolean {
    return this.#closed && this.#buffered === 0;
  }

  /** Resolves when more bytes arrive or the stream closes. */
  #more(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** Takes exactly `n` buffered bytes (the caller checked there are enough). */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[0];
      const used = Math.min(head.length, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(used);
    }
    this.#buffered -= n;
    return out;
  }

  /** The next `n` bytes. Rejects with `StreamClosedError` when the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    while (this.#buffered < n) {
      if (this.#closed) {
        const why = this.#error ? `: ${this.#error.message}` : "";
        throw new StreamClosedError(`Connection closed after ${this.#buffered} of ${n} expected bytes${why}`);
      }
      await this.#more();
    }
    return this.#take(n);
  }

  /** Everything until the peer closes, at most `max` bytes (rejects with `StreamClosedError` past it). */
  async readToEnd(max: number): Promise<Uint8Array> {
    while (!this.#closed) {
      if (this.#buffered > max) throw new StreamClosedError(`More than ${max} bytes before the connection closed`);
      await this.#more();
    }
    if (this.#buffered > max) throw new StreamClosedError(`More than ${max} bytes before the connection closed`);
    return this.#take(this.#buffered);
  }

  /** Resolves when the stream closes (bytes still buffered are left unread). */
  async closed(): Promise<void> {
    while (!this.#closed) await this.#more();
  }
}
