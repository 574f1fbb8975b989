/**
 * cborg's tokenizer plus the two things it does not do: it reads
 * indefinite-length byte and text strings (RFC 8949 §3.2.3: chunks of
 * definite-length strings of the same type, ended by a break) as one token,
 * and it refuses text strings that are not UTF-8, where cborg would replace
 * the bad bytes with U+FFFD (and drop a leading U+FEFF) without a word.
 *
 * @module
 */
import { Token, Tokenizer, Type } from "cborg";
import { CodecError } from "./errors.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const BYTES_INDEFINITE = 0x5f;
const TEXT_INDEFINITE = 0x7f;
const BREAK = 0xff;

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

/**
 * A cborg tokenizer whose `next()` also returns indefinite-length strings
 * as one token (a fresh Uint8Array or a string) and checks text.
 *
 * `next()` throws `InvalidTextError` for a text string (or a chunk of one)
 * that is not UTF-8, `CodecError` for a chunk that is not a definite-length
 * string of the string's own type, or for input that ends before the break,
 * and cborg's errors for the rest of malformed input.
 */
export class Tokens extends Tokenizer {
  /**
   * Byte strings of at least this many bytes, and of at least half the
   * input, are views of the input instead of copies (so a view never keeps
   * alive more than twice its size). Infinity: always copies.
   */
  shareFrom = Infinity;

  override next(): Token {
    const start = this._pos;
    const first = this.data[start];
    if (first === BYTES_INDEFINITE || first === TEXT_INDEFINITE) return this.#indefinite(start, first >> 5);
    if (first >> 5 === 2 && this.shareFrom !== Infinity) {
      const shared = this.#sharedBytes(start, first & 31);
      if (shared) return shared;
    }
    const token = super.next();
    if (token.type.major === 3) return checkedText(this.data, start, token);
    return token;
  }

  // A definite-length byte string as a view, when it is large enough and whole; else undefined (cborg reads it).
  #sharedBytes(start: number, minor: number): Token | undefined {
    if (minor < 24 || minor > 26) return undefined;
    const data = this.data;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const hs = 1 + (1 << (minor - 24));
    if (start + hs > data.length) return undefined;
    const length = minor === 24 ? data[start + 1] : minor === 25 ? view.getUint16(start + 1) : view.getUint32(start + 1);
    const end = start + hs + length;
    if (length < this.shareFrom || length * 2 < data.length || end > data.length) return undefined;
    this._pos = end;
    return new Token(Type.bytes, data.subarray(start + hs, end), hs + length);
  }

  /**
   * Joins the chunks. Each takes at least a byte of the input, so the input's
   * own size limit bounds their number and their total size.
   */
  #indefinite(start: number, major: number): Token {
    this._pos = start + 1;
    const chunks: (Uint8Array | string)[] = [];
    let size = 0;
    for (;;) {
      if (this.done()) {
        throw new CodecError(
          `Truncated CBOR: the indefinite-length string at byte ${start} has no break code; send the whole item`,
        );
      }
      const at = this._pos;
      if (this.data[at] === BREAK) {
        this._pos = at + 1;
        break;
      }
      if (this.data[at] >> 5 !== major || (this.data[at] & 31) === 31) {
        throw new CodecError(
          `Invalid CBOR: the indefinite-length ${major === 2 ? "byte" : "text"} string at byte ${start} ` +
            `holds something else than a definite-length ${major === 2 ? "byte" : "text"} string at byte ${at}`,
        );
      }
      const chunk = this.next().value as Uint8Array | string;
      chunks.push(chunk);
      size += chunk.length;
    }
    const length = this._pos - start;
    if (major === 3) return new Token(Type.string, chunks.join(""), length);
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks as Uint8Array[]) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return new Token(Type.bytes, bytes, length);
  }
}

/**
 * cborg decoded the text without complaint; a U+FFFD in it may be a
 * replacement, and a text starting with bytes EF BB BF lost its U+FEFF:
 * only then are the bytes decoded again, strictly.
 */
function checkedText(data: Uint8Array, start: number, token: Token): Token {
  const text = token.value as string;
  const headerEnd = start + headerLength(data[start] & 31);
  const hasBom = data[headerEnd] === 0xef && data[headerEnd + 1] === 0xbb && data[headerEnd + 2] === 0xbf;
  if (!hasBom && !text.includes("\uFFFD")) return token;
  try {
    token.value = UTF8.decode(data.subarray(headerEnd, start + token.encodedLength!));
  } catch {
    throw new InvalidTextError(start);
  }
  return token;
}

/** Bytes of a string's header (initial byte and length) for its minor value. */
function headerLength(minor: number): number {
  if (minor < 24) return 1;
  return 1 + (1 << (minor - 24));
}
