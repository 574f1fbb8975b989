/**
 * CBOR encoding (RFC 8949) through cborg, with the tags that let every
 * `Value` come back as what it was (`cbor_decode.ts` reads them).
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
import {
  encode as cborgEncode,
  type EncodeOptions as CborgEncodeOptions,
  encodeInto,
  objectToTokens,
  Token,
  Type,
  type TypeEncoder,
} from "cborg";
import { encodedLength } from "cborg/length";
import { hexToBytes } from "./binary_text.ts";
import { CodecError, findUnencodable, MAX_BIGINT_BYTES, WIRE_TYPES } from "./errors.ts";
import { isTerm, type Term, Tuple } from "../core/terms.ts";
import { TERM_TAG, termArray } from "./cbor_terms.ts";

export type EncodeOptions = {
  /** How the value is named in error paths (`args` gives `args[1].cb`). Default `"value"`. */
  root?: string;
};

/** cborg's cycle tracker, by shape: its `Ref` class is not exported. */
type Ref = { obj: object; parent: Ref | undefined; includes(obj: object): boolean };
type Tokens = ReturnType<TypeEncoder>;

// Thrown by the type encoders; `findUnencodable` then says what and where.
const REFUSED = new CodecError("refused");

const TAG_DATE = new Token(Type.tag, 1);
const TAG_BIGINT = new Token(Type.tag, 2);
const TAG_NEG_BIGINT = new Token(Type.tag, 3);
const TAG_MAP = new Token(Type.tag, 259);
const EMPTY_MAP = new Token(Type.map, 0);

function refIncludes(this: Ref, obj: object): boolean {
  if (this.obj === obj) return true;
  return this.parent ? refIncludes.call(this.parent, obj) : false;
}

function refWith(stack: Ref | undefined, obj: object): Ref {
  if (stack?.includes(obj)) throw REFUSED;
  return { obj, parent: stack, includes: refIncludes };
}

/** Big-endian bytes of a magnitude, none for 0 (RFC 8949's preferred form). */
function magnitudeBytes(m: bigint): Uint8Array {
  if (m === 0n) return new Uint8Array(0);
  let hex = m.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return hexToBytes(hex);
}

function encodeBigInt(n: bigint): Tokens {
  const negative = n < 0n;
  const bytes = magnitudeBytes(negative ? -1n - n : n);
  if (bytes.length > MAX_BIGINT_BYTES) throw REFUSED;
  return [negative ? TAG_NEG_BIGINT : TAG_BIGINT, new Token(Type.bytes, bytes)];
}

function encodeDate(date: Date, typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  // cborg names types by Symbol.toStringTag, which any object can claim
  if (!(date instanceof Date)) return encodeOther(date, typ, options, refStack);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw REFUSED;
  // Whole seconds stay integers: smaller, and exact for every reader
  if (ms % 1000 === 0) {
    const s = ms / 1000;
    return [TAG_DATE, new Token(s >= 0 ? Type.uint : Type.negint, s)];
  }
  return [TAG_DATE, new Token(Type.float, ms / 1000)];
}

function encodeMap(map: Map<unknown, unknown>, typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  if (!(map instanceof Map)) return encodeOther(map, typ, options, refStack);
  if (map.size === 0) return [TAG_MAP, EMPTY_MAP];
  const ref = refWith(refStack, map);
  // Insertion order is kept (no sorting): it is part of what a Map means
  const tokens: Tokens[] = [TAG_MAP, new Token(Type.map, map.size)];
  for (const [k, v] of map) tokens.push(objectToTokens(k, options, ref), objectToTokens(v, options, ref));
  return tokens as Tokens;
}

function encodeObject(obj: object, typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  const proto = Object.getPrototypeOf(obj);
  // null hands a plain object back to cborg's own (fast) map encoder; CBORG_OPTIONS keeps its keys in order
  if (proto === Object.prototype || proto === null) return null;
  return encodeOther(obj, typ, options, refStack);
}

const TAG_TERM = new Token(Type.tag, TERM_TAG);

function encodeTerm(t: Term, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  return [TAG_TERM, objectToTokens(termArray(t), options, refWith(refStack, t))];
}

// Arrays go to cborg's own encoder (null), except tuples.
function encodeArray(arr: unknown[], _typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  return arr instanceof Tuple ? encodeTerm(arr, options, refStack) : null;
}

function encodeOther(obj: unknown, _typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  if (isTerm(obj)) return encodeTerm(obj, options, refStack);
  if (ArrayBuffer.isView(obj)) return new Token(Type.bytes, new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
  const toJSON = (obj as { toJSON?: unknown } | null)?.toJSON;
  if (typeof obj === "object" && obj !== null && typeof toJSON === "function") {
    return objectToTokens(toJSON.call(obj), options, refWith(refStack, obj));
  }
  throw REFUSED;
}

const TYPE_ENCODERS: Record<string, TypeEncoder> = Object.assign(Object.create(null), {
  Array: encodeArray,
  bigint: encodeBigInt,
  Date: encodeDate,
  Map: encodeMap,
  Object: encodeObject,
});
// cborg has no encoder for these: what has a toJSON() goes through it, the rest is refused
for (const typ of ["RegExp", "Error", "Set", "WeakMap", "WeakSet", "SharedArrayBuffer", "Promise", "URL", "HTMLElement", "Tagged"]) {
  TYPE_ENCODERS[typ] = encodeOther;
}

// Keys keep the order the program gave them (cborg sorts them by default): a
// value read back, or printed by the CLI, looks as its function built it.
const CBORG_OPTIONS: CborgEncodeOptions = { typeEncoders: TYPE_ENCODERS, mapSorter: () => 0 };

// cborg encodes into one module-wide writer; a toJSON() or getter that calls
// encode() while we encode must not write into it.
let encoding = false;

/**
 * Encodes a value as CBOR. Plain objects and Maps keep their keys in
 * insertion order (not cborg's canonical sort). Objects with a `toJSON()` method
 * (other than plain objects and Dates) are sent as what it returns.
 *
 * Throws `CodecError`, with the path of the culprit, for anything that cannot
 * cross the wire: functions, symbols, cycles, Sets, WeakMaps, Promises,
 * class instances without `toJSON()`, invalid Dates, bigints over
 * `MAX_BIGINT_BYTES`, or a getter/`toJSON()` that throws. Never throws
 * anything else.
 */
export function encode(value: unknown, options: EncodeOptions = {}): Uint8Array {
  const nested = encoding;
  encoding = true;
  try {
    if (nested) {
      const out = new Uint8Array(encodedLength(value, CBORG_OPTIONS));
      // A toJSON() may answer differently the second time it is asked
      const { written } = encodeInto(value, out, CBORG_OPTIONS);
      return written === out.length ? out : out.slice(0, written);
    }
    const out = cborgEncode(value, CBORG_OPTIONS);
    // cborg may answer with a Buffer, or a view into Buffer's shared pool:
    // callers get bytes they own, whose .buffer and .slice() hold no surprise
    return out.constructor === Uint8Array && out.byteOffset === 0 && out.buffer.byteLength === out.byteLength
      ? out
      : new Uint8Array(out);
  } catch (err) {
    throw explain(err, value, options.root ?? "value");
  } finally {
    encoding = nested;
  }
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
