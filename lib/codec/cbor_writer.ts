/**
 * The byte side of CBOR encoding: heads, floats, text and byte strings
 * written into one growing buffer that is reused from one encode to the
 * next. A byte string of `PART_MIN_BYTES` or more is not copied: the output
 * is a list of parts, the big byte strings among them by reference, so that
 * a megabyte travels to the wire without being copied into a message first.
 *
 * @module
 */
import { grownBytes } from "../core/bytes.ts";

/** Byte strings this large are handed out by reference instead of copied. */
export const PART_MIN_BYTES = 64 * 1024;

// The buffer kept between encodes, and its view; a bigger one grown for one value is let go.
const KEEP_BYTES = 64 * 1024;
let spare: Uint8Array | undefined = new Uint8Array(KEEP_BYTES);
let spareView = new DataView(spare.buffer);

// Half floats (ES2025): both runtimes have them.
const f16round = (Math as unknown as { f16round(x: number): number }).f16round;
type HalfView = DataView & { setFloat16(at: number, x: number): void };

/** Bytes of a head (major type and argument) for an argument of `n`. */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

export class CborWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;
  #parts: Uint8Array[] = [];

  /** Takes the module's spare buffer when it is free (encodes may nest through `toJSON`). */
  constructor() {
    if (spare) {
      this.#buf = spare;
      this.#view = spareView;
      spare = undefined;
    } else {
      this.#buf = new Uint8Array(256);
      this.#view = new DataView(this.#buf.buffer);
    }
  }

  /** The encoded bytes as parts, in order (one part unless a big byte string was written); ends this writer. */
  finish(): Uint8Array[] {
    if (this.#pos > 0 || this.#parts.length === 0) this.#parts.push(this.#buf.slice(0, this.#pos));
    this.release();
    return this.#parts;
  }

  /** Gives the buffer back for the next encode; call once, also after a failure. */
  release(): void {
    if (this.#buf.length <= KEEP_BYTES) {
      spare = this.#buf;
      spareView = this.#view;
    }
    this.#pos = 0;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#buf = grownBytes(this.#buf, this.#pos, this.#pos + n);
    this.#view = new DataView(this.#buf.buffer);
  }

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
  }

  /** A head: major type `major` (0–7) with the non-negative integer argument `n` (up to 2^53). */
  head(major: number, n: number): void {
    this.#room(9);
    this.#headAt(this.#pos, major << 5, n);
    this.#pos += headSize(n);
  }

  #headAt(at: number, mt: number, n: number): void {
    const b = this.#buf;
    if (n < 24) b[at] = mt | n;
    else if (n < 0x100) {
      b[at] = mt | 24;
      b[at + 1] = n;
    } else if (n < 0x10000) {
      b[at] = mt | 25;
      this.#view.setUint16(at + 1, n);
    } else if (n < 0x100000000) {
      b[at] = mt | 26;
      this.#view.setUint32(at + 1, n);
    } else {
      b[at] = mt | 27;
      this.#view.setUint32(at + 1, Math.floor(n / 0x100000000));
      this.#view.setUint32(at + 5, n >>> 0);
    }
  }

  /** A number that is not a safe integer, in the shortest float that holds it exactly (NaN as a half). */
  float(x: number): void {
    this.#room(9);
    const b = this.#buf;
    const at = this.#pos;
    if (x !== x) {
      b[at] = 0xf9;
      b[at + 1] = 0x7e;
      b[at + 2] = 0;
      this.#pos += 3;
    } else if (f16round(x) === x) {
      b[at] = 0xf9;
      (this.#view as HalfView).setFloat16(at + 1, x);
      this.#pos += 3;
    } else if (Math.fround(x) === x) {
      b[at] = 0xfa;
      this.#view.setFloat32(at + 1, x);
      this.#pos += 5;
    } else {
      b[at] = 0xfb;
      this.#view.setFloat64(at + 1, x);
      this.#pos += 9;
    }
  }

  /** A byte string; one of `PART_MIN_BYTES` or more is kept by reference, not copied. */
  bytes(data: Uint8Array): void {
    this.head(2, data.length);
    if (data.length >= PART_MIN_BYTES) {
      this.#parts.push(this.#buf.slice(0, this.#pos), data);
      this.#pos = 0;
      return;
    }
    this.#room(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }

  /** A text string (the caller has checked it is well formed). */
  text(s: string): void {
    const max = s.length * 3;
    const hs = headSize(max);
    this.#room(hs + max);
    const start = this.#pos + hs;
    const end = s.length <= 32 ? this.#utf8(s, start) : start + encoder.encodeInto(s, this.#buf.subarray(start)).written;
    const length = end - start;
    const actual = headSize(length);
    if (actual < hs) this.#buf.copyWithin(this.#pos + actual, start, end);
    this.#headAt(this.#pos, 0x60, length);
    this.#pos += actual + length;
  }

  // Short strings: a loop beats TextEncoder's call cost.
  #utf8(s: string, at: number): number {
    const b = this.#buf;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[at++] = c;
      else if (c < 0x800) {
        b[at++] = 0xc0 | (c >> 6);
        b[at++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c < 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[at++] = 0xf0 | (c >> 18);
        b[at++] = 0x80 | ((c >> 12) & 63);
        b[at++] = 0x80 | ((c >> 6) & 63);
        b[at++] = 0x80 | (c & 63);
      } else {
        b[at++] = 0xe0 | (c >> 12);
        b[at++] = 0x80 | ((c >> 6) & 63);
        b[at++] = 0x80 | (c & 63);
      }
    }
    return at;
  }
}

const encoder = new TextEncoder();
