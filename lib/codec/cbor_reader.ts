/**
 * CBOR's items one at a time (RFC 8949 §3), read straight from the bytes
 * into one reused `Item`: no object per item, which is what made cborg's
 * tokenizer the largest part of decoding a call frame. It reads
 * indefinite-length byte and text strings (§3.2.3: chunks of
 * definite-length strings of the same type, ended by a break) as one item,
 * and refuses text that is not UTF-8 instead of patching it with U+FFFD.
 * What items make a value is `cbor_decode.ts`'s business.
 *
 * @module
 */
import { CodecError } from "./errors.ts";
import { shortAscii } from "./short_text.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A text string that is not UTF-8. `byteOffset` is where its header starts
 * in the input; the decoder adds where in the value it is.
 */
export class InvalidTextError extends CodecError {
  readonly byteOffset: number;
  constructor(byteOffset: number) {
    // No cause: TextDecoder's TypeError is how invalid UTF-8 is found, not a fault to chase.
    super(`Invalid CBOR: the text string at byte ${byteOffset} is not valid UTF-8`);
    this.byteOffset = byteOffset;
  }
}

/** Malformed input; `decode` words it for the sender. */
export class MalformedError extends Error {}

/** The item last read. */
export interface Item {
  /** The major type, 0–7. */
  major: number;
  /**
   * 0/1: the integer (a bigint beyond 2^53); 2: a Uint8Array; 3: a string;
   * 4/5: the count (Infinity for indefinite length); 6: the tag number;
   * 7: false, true, null, undefined or a float (see `isFloat`, `isBreak`).
   */
  value: unknown;
  isFloat: boolean;
  isBreak: boolean;
}

type HalfView = DataView & { getFloat16(at: number): number };

function uint32(d: Uint8Array, at: number): number {
  return d[at] * 0x1000000 + ((d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]);
}

export class CborReader {
  readonly data: Uint8Array;
  // Made for the first float only: a DataView needs the input's ArrayBuffer, which costs a small message dearly.
  #view: DataView | undefined;
  pos = 0;
  readonly item: Item = { major: 0, value: undefined, isFloat: false, isBreak: false };
  /**
   * Byte strings of at least this many bytes, and of at least half the
   * input, are views of the input instead of copies (so a view never keeps
   * alive more than twice its size). Infinity: always copies.
   */
  shareFrom = Infinity;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  #floats(): DataView {
    return this.#view ??= new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  done(): boolean {
    return this.pos >= this.data.length;
  }

  #need(n: number): void {
    if (this.pos + n > this.data.length) throw new MalformedError(`not enough data at byte ${this.pos}: the input ends early`);
  }

  /** The argument of a head whose low five bits are `minor` (up to 27), as a number, or a bigint beyond 2^53. */
  #argument(minor: number): number | bigint {
    if (minor < 24) return minor;
    const at = this.pos;
    const d = this.data;
    switch (minor) {
      case 24:
        this.#need(1);
        this.pos += 1;
        return d[at];
      case 25:
        this.#need(2);
        this.pos += 2;
        return (d[at] << 8) | d[at + 1];
      case 26:
        this.#need(4);
        this.pos += 4;
        return uint32(d, at);
      case 27: {
        this.#need(8);
        this.pos += 8;
        const hi = uint32(d, at);
        const lo = uint32(d, at + 4);
        return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
      }
      default:
        throw new MalformedError(`invalid minor value ${minor} at byte ${at - 1}`);
    }
  }

  /** A length: a string's, an array's or a map's. */
  #length(minor: number): number {
    const n = this.#argument(minor);
    if (typeof n !== "number") throw new MalformedError(`a length over 2^53 at byte ${this.pos}`);
    return n;
  }

  /** Reads the next item into `item`, and returns it. */
  next(): Item {
    const start = this.pos;
    this.#need(1);
    const first = this.data[this.pos++];
    const major = first >> 5;
    const minor = first & 31;
    const item = this.item;
    item.major = major;
    item.isFloat = false;
    item.isBreak = false;
    switch (major) {
      case 0:
        item.value = this.#argument(minor);
        break;
      case 1: {
        const n = this.#argument(minor);
        item.value = typeof n === "number" && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
        break;
      }
      case 2:
      case 3:
        item.value = minor === 31 ? this.#indefinite(start, major) : this.#string(start, major, this.#length(minor));
        break;
      case 4:
      case 5:
        item.value = minor === 31 ? Infinity : this.#length(minor);
        break;
      case 6:
        item.value = this.#argument(minor);
        break;
      default:
        this.#simple(start, minor);
    }
    return item;
  }

  #simple(start: number, minor: number): void {
    const item = this.item;
    const at = this.pos;
    switch (minor) {
      case 20:
      case 21:
        item.value = minor === 21;
        return;
      case 22:
        item.value = null;
        return;
      case 23:
        item.value = undefined;
        return;
      case 25:
        this.#need(2);
        this.pos += 2;
        item.value = (this.#floats() as HalfView).getFloat16(at);
        item.isFloat = true;
        return;
      case 26:
        this.#need(4);
        this.pos += 4;
        item.value = this.#floats().getFloat32(at);
        item.isFloat = true;
        return;
      case 27:
        this.#need(8);
        this.pos += 8;
        item.value = this.#floats().getFloat64(at);
        item.isFloat = true;
        return;
      case 31:
        item.isBreak = true;
        item.value = undefined;
        return;
      default:
        throw new MalformedError(`unsupported simple value ${minor < 24 ? minor : this.data[at]} at byte ${start}`);
    }
  }

  #string(start: number, major: number, length: number): Uint8Array | string {
    this.#need(length);
    const at = this.pos;
    const end = at + length;
    this.pos = end;
    if (major === 2) {
      const share = length >= this.shareFrom && length * 2 >= this.data.length;
      return share ? this.data.subarray(at, end) : this.data.slice(at, end);
    }
    // Short ASCII text, the most common kind by far, without TextDecoder's call (and mostly a repeat).
    const short = shortAscii(this.data, at, end);
    if (short !== undefined) return short;
    try {
      return UTF8.decode(this.data.subarray(at, end));
    } catch {
      throw new InvalidTextError(start);
    }
  }

  /**
   * Joins the chunks. Each takes at least a byte of the input, so the input's
   * own size limit bounds their number and their total size.
   */
  #indefinite(start: number, major: number): Uint8Array | string {
    const chunks: (Uint8Array | string)[] = [];
    let size = 0;
    const kind = major === 2 ? "byte" : "text";
    for (;;) {
      if (this.done()) {
        throw new CodecError(
          `Truncated CBOR: the indefinite-length string at byte ${start} has no break code; send the whole item`,
        );
      }
      const at = this.pos;
      const head = this.data[at];
      if (head === 0xff) {
        this.pos = at + 1;
        break;
      }
      if (head >> 5 !== major || (head & 31) === 31) {
        throw new CodecError(
          `Invalid CBOR: the indefinite-length ${kind} string at byte ${start} ` +
            `holds something else than a definite-length ${kind} string at byte ${at}`,
        );
      }
      this.pos = at + 1;
      const chunk = this.#string(at, major, this.#length(head & 31));
      chunks.push(chunk);
      size += chunk.length;
    }
    if (major === 3) return chunks.join("");
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks as Uint8Array[]) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }
}
