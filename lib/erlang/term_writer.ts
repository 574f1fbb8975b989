/**
 * A growable byte buffer for the term encoder: big-endian integers, raw
 * bytes, nothing else.
 *
 * @module
 */
import { grownBytes } from "../core/bytes.ts";

export class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#buf = grownBytes(this.#buf, this.#pos, this.#pos + n);
    this.#view = new DataView(this.#buf.buffer);
  }
  get length(): number {
    return this.#pos;
  }
  u8(v: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = v;
  }
  u16(v: number): void {
    this.#room(2);
    this.#view.setUint16(this.#pos, v);
    this.#pos += 2;
  }
  u32(v: number): void {
    this.#room(4);
    this.#view.setUint32(this.#pos, v);
    this.#pos += 4;
  }
  i32(v: number): void {
    this.#room(4);
    this.#view.setInt32(this.#pos, v);
    this.#pos += 4;
  }
  f64(v: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }
  /** The bytes written from `from` on, as a view (valid until the next write). */
  since(from: number): Uint8Array {
    return this.#buf.subarray(from, this.#pos);
  }
  /** A copy of everything written. */
  result(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}
