/**
 * CBOR encoding (RFC 8949), written straight into bytes (`cbor_writer.ts`),
 * with the tags that let every `Value` come back as what it was
 * (`cbor_decode.ts` reads them). cborg's encoder, used before, built a
 * token per value first: ten times slower for a call frame. cborg stays the
 * tests' independent reference.
 *
 * | value              | on the wire                                         |
 * |--------------------|-----------------------------------------------------|
 * | bigint             | tag 2 / 3 + bytes, always (so `5n` stays a bigint)  |
 * | Date               | tag 1 + epoch seconds (integer, or float for ms)    |
 * | Map                | tag 259 + map, keys of any type, insertion order    |
 * | plain object       | map with string keys, insertion order               |
 * | Uint8Array         | byte string (other typed arrays, ArrayBuffer too)   |
 * | undefined, NaN, ±∞ | simple value 23, half floats                        |
 * | Erlang values      | tag 27 + [type name, fields...] (`cbor_terms.ts`)   |
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";
import { hexToBytes } from "./binary_text.ts";
import { CborWriter } from "./cbor_writer.ts";
import { CodecError, findUnencodable, MAX_BIGINT_BYTES, WIRE_TYPES } from "./errors.ts";
import { isTerm, type Term, Tuple } from "../core/terms.ts";
import { TERM_TAG, termArray } from "./cbor_terms.ts";

export type EncodeOptions = {
  /** How the value is named in error paths (`args` gives `args[1].cb`). Default `"value"`. */
  root?: string;
};

// Thrown by the walk; `findUnencodable` then says what and where.
const REFUSED = new CodecError("refused");

const TAG_DATE = 1;
const TAG_BIGINT = 2;
const TAG_NEG_BIGINT = 3;
const TAG_MAP = 259;

/** Big-endian bytes of a magnitude, none for 0 (RFC 8949's preferred form). */
function magnitudeBytes(m: bigint): Uint8Array {
  if (m === 0n) return new Uint8Array(0);
  let hex = m.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return hexToBytes(hex);
}

/**
 * Writes values into a `CborWriter`. `path` holds the containers being
 * written (a value that contains itself is refused, one shared by siblings
 * is not).
 */
class Walk {
  readonly w = new CborWriter();
  #path: object[] = [];

  value(v: unknown): void {
    switch (typeof v) {
      case "string":
        // TextEncoder would turn a lone surrogate into U+FFFD without a word: refused instead
        if (!v.isWellFormed()) throw REFUSED;
        this.w.text(v);
        return;
      case "number":
        // -0 is a safe integer and goes as 0, as it does in JSON
        if (Number.isSafeInteger(v)) this.w.head(v >= 0 ? 0 : 1, v >= 0 ? v : -1 - v);
        else this.w.float(v);
        return;
      case "boolean":
        this.w.byte(v ? 0xf5 : 0xf4);
        return;
      case "undefined":
        this.w.byte(0xf7);
        return;
      case "bigint":
        this.#bigint(v);
        return;
      case "object":
        if (v === null) this.w.byte(0xf6);
        else this.#object(v);
        return;
      default:
        // functions and symbols
        throw REFUSED;
    }
  }

  #bigint(n: bigint): void {
    const negative = n < 0n;
    const bytes = magnitudeBytes(negative ? -1n - n : n);
    if (bytes.length > MAX_BIGINT_BYTES) throw REFUSED;
    this.w.head(6, negative ? TAG_NEG_BIGINT : TAG_BIGINT);
    this.w.bytes(bytes);
  }

  #object(o: object): void {
    if (o instanceof Uint8Array) return this.w.bytes(o);
    if (Array.isArray(o)) return o instanceof Tuple ? this.#term(o) : this.#array(o);
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) return this.#plain(o as Record<string, unknown>);
    if (o instanceof Map) return this.#map(o);
    if (o instanceof Date) return this.#date(o);
    if (isTerm(o)) return this.#term(o);
    if (ArrayBuffer.isView(o)) return this.w.bytes(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    if (o instanceof ArrayBuffer) return this.w.bytes(new Uint8Array(o));
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function") throw REFUSED;
    this.#enter(o);
    this.value(toJSON.call(o));
    this.#path.pop();
  }

  #enter(o: object): void {
    if (this.#path.includes(o)) throw REFUSED;
    this.#path.push(o);
  }

  #array(a: unknown[]): void {
    this.w.head(4, a.length);
    if (a.length === 0) return;
    this.#enter(a);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
    this.#path.pop();
  }

  // Keys keep the order the program gave them: a value read back, or printed by the CLI, looks as its function built it.
  #plain(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    this.w.head(5, keys.length);
    if (keys.length === 0) return;
    this.#enter(o);
    for (const k of keys) {
      this.value(k);
      this.value(o[k]);
    }
    this.#path.pop();
  }

  // Insertion order is kept (no sorting): it is part of what a Map means
  #map(m: Map<unknown, unknown>): void {
    this.w.head(6, TAG_MAP);
    this.w.head(5, m.size);
    if (m.size === 0) return;
    this.#enter(m);
    for (const [k, v] of m) {
      this.value(k);
      this.value(v);
    }
    this.#path.pop();
  }

  #date(d: Date): void {
    const ms = d.getTime();
    if (Number.isNaN(ms)) throw REFUSED;
    this.w.head(6, TAG_DATE);
    // Whole seconds stay integers (smaller, and exact for every reader); the rest is a float
    this.value(ms / 1000);
  }

  #term(t: Term): void {
    this.w.head(6, TERM_TAG);
    this.#enter(t);
    this.value(termArray(t));
    this.#path.pop();
  }
}

/**
 * Encodes a value as CBOR, as parts: one Uint8Array, or several when the
 * value holds byte strings of `PART_MIN_BYTES` or more, which are then parts
 * of their own, by reference (not copied: the caller must not change them
 * until the parts are sent). The message is the parts concatenated.
 *
 * Throws what `encode` throws.
 */
export function encodeParts(value: unknown, options: EncodeOptions = {}): Uint8Array[] {
  const walk = new Walk();
  try {
    walk.value(value);
  } catch (err) {
    walk.w.release();
    throw explain(err, value, options.root ?? "value");
  }
  return walk.w.finish();
}

/**
 * Encodes a value as CBOR. Plain objects and Maps keep their keys in
 * insertion order (no canonical sort). Objects with a `toJSON()` method
 * (other than plain objects and Dates) are sent as what it returns.
 * The bytes are the caller's own.
 *
 * Throws `CodecError`, with the path of the culprit, for anything that cannot
 * cross the wire: functions, symbols, cycles, Sets, WeakMaps, Promises,
 * class instances without `toJSON()`, invalid Dates, bigints over
 * `MAX_BIGINT_BYTES`, strings with a lone surrogate (UTF-8 cannot carry
 * one), or a getter/`toJSON()` that throws. Never throws
 * anything else.
 */
export function encode(value: unknown, options: EncodeOptions = {}): Uint8Array {
  const parts = encodeParts(value, options);
  return parts.length === 1 ? parts[0] : concatBytes(parts);
}

function explain(err: unknown, value: unknown, root: string): CodecError {
  const found = findUnencodable(value, root);
  if (found) return found;
  if (err === REFUSED) return new CodecError(`Cannot send ${root}: it holds something that cannot cross the wire; ${WIRE_TYPES}`);
  if (err instanceof CodecError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return new CodecError(`Cannot send ${root}: it is nested too deeply to encode; send a flatter value`, { cause: err });
  }
  return new CodecError(`Cannot encode ${root} as CBOR: ${message}`, { cause: err });
}
