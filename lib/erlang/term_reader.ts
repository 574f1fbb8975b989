/**
 * A cursor over External Term Format bytes that checks every length against
 * what remains, and counts nesting against `Limits.maxDepth`.
 *
 * @module
 */
import { CodecError } from "../codec/errors.ts";
import { type Limits, tooDeep } from "../codec/limits.ts";

/** Where the reader is in the input, and how deep. */
export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #limits: Limits;
  #pos: number;
  #depth = 0;

  constructor(bytes: Uint8Array, pos: number, limits: Limits) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = pos;
    this.#limits = limits;
  }

  get pos(): number {
    return this.#pos;
  }

  #need(n: number, what: string): void {
    if (n > this.#bytes.length - this.#pos) {
      throw new CodecError(`Truncated Erlang term: ${what} at byte ${this.#pos} needs ${n} bytes, ${this.#bytes.length - this.#pos} remain`);
    }
  }
  u8(what = "a byte"): number {
    this.#need(1, what);
    return this.#bytes[this.#pos++];
  }
  u16(what: string): number {
    this.#need(2, what);
    const v = this.#view.getUint16(this.#pos);
    this.#pos += 2;
    return v;
  }
  u32(what: string): number {
    this.#need(4, what);
    const v = this.#view.getUint32(this.#pos);
    this.#pos += 4;
    return v;
  }
  i32(what: string): number {
    this.#need(4, what);
    const v = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    return v;
  }
  f64(): number {
    this.#need(8, "a float");
    const v = this.#view.getFloat64(this.#pos);
    this.#pos += 8;
    return v;
  }
  /** A view of the next `n` bytes (not a copy). */
  take(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  /** A copy of the input from `from` to `to`. */
  copy(from: number, to: number): Uint8Array {
    return this.#bytes.slice(from, to);
  }
  /** Fails unless `count` items of at least `each` bytes can still follow: no allocation for a length that lies. */
  expect(count: number, each: number, what: string): void {
    this.#need(count * each, `${what} of ${count} elements`);
  }
  enter(): void {
    if (++this.#depth > this.#limits.maxDepth) throw tooDeep(this.#limits);
  }
  leave(): void {
    this.#depth--;
  }
}

