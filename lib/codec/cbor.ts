/**
 * The wire codec: CBOR (RFC 8949) through cborg, with the tags that let every
 * `Value` come back as what it was.
 *
 * | value              | on the wire                                         |
 * |--------------------|-----------------------------------------------------|
 * | bigint             | tag 2 / 3 + bytes, always (so `5n` stays a bigint)  |
 * | Date               | tag 1 + epoch seconds (integer, or float for ms)    |
 * | Map                | tag 259 + map, keys of any type, insertion order    |
 * | plain object       | map with string keys                                |
 * | Uint8Array         | byte string (other typed arrays, ArrayBuffer too)   |
 * | undefined, NaN, ±∞ | simple value 23, half floats                        |
 *
 * Decoding also reads tag 0 (RFC 3339 date strings, what Python's cbor2
 * sends), indefinite-length arrays and maps, and untagged maps with
 * non-string keys (as a Map).
 *
 * @module
 */
import {
  encode as cborgEncode,
  type EncodeOptions as CborgEncodeOptions,
  encodeInto,
  objectToTokens,
  Token,
  Tokenizer,
  Type,
  type TypeEncoder,
} from "cborg";
import { encodedLength } from "cborg/length";
import type { Value } from "../result.ts";
import { CodecError, findUnencodable, MAX_BIGINT_BYTES, WIRE_TYPES } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits, tooDeep, tooLarge } from "./limits.ts";

export type EncodeOptions = {
  /** How the value is named in error paths (`args` gives `args[1].cb`). Default `"value"`. */
  root?: string;
};

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

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

type HexCodec = { fromHex?(hex: string): Uint8Array };
type HexBytes = Uint8Array & { toHex?(): string };

function hexToBytes(hex: string): Uint8Array {
  const native = (Uint8Array as unknown as HexCodec).fromHex;
  if (native) return native(hex);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  const b = bytes as HexBytes;
  if (b.toHex) return b.toHex();
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
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
  // null hands a plain object back to cborg's own (fast, sorted) map encoder
  if (proto === Object.prototype || proto === null) return null;
  return encodeOther(obj, typ, options, refStack);
}

function encodeOther(obj: unknown, _typ: string, options: CborgEncodeOptions, refStack?: Ref): Tokens {
  if (ArrayBuffer.isView(obj)) return new Token(Type.bytes, new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
  const toJSON = (obj as { toJSON?: unknown } | null)?.toJSON;
  if (typeof obj === "object" && obj !== null && typeof toJSON === "function") {
    return objectToTokens(toJSON.call(obj), options, refWith(refStack, obj));
  }
  throw REFUSED;
}

const TYPE_ENCODERS: Record<string, TypeEncoder> = Object.assign(Object.create(null), {
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
 * Encodes a value as CBOR. Plain objects' keys are sorted (cborg's canonical
 * order); Maps keep their insertion order. Objects with a `toJSON()` method
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

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

const TOKENIZER_OPTIONS = {
  allowIndefinite: true,
  allowUndefined: true,
  allowBigInt: true,
  allowNaN: true,
  allowInfinity: true,
};

const ARRAY = 0;
const OBJECT = 1;
const MAP = 2;

/** An array or map still being filled. `length` is Infinity for indefinite ones. */
type Frame =
  | { kind: typeof ARRAY; target: Value[]; length: number; count: number; key: Value; hasKey: boolean }
  | { kind: typeof OBJECT; target: Record<string, Value>; length: number; count: number; key: Value; hasKey: boolean }
  | { kind: typeof MAP; target: Map<Value, Value>; length: number; count: number; key: Value; hasKey: boolean };

/**
 * Decodes exactly one CBOR item (see the module doc for the tags it reads).
 * Maps with only string keys become plain objects (a `"__proto__"` key is an
 * own property, never the prototype); tag 259 and maps with other keys
 * become Maps.
 *
 * Throws `TooLargeError` when `bytes` is longer than `limits.maxBytes`, and
 * `CodecError` for nesting deeper than `limits.maxDepth` (found before it is
 * built, without recursion), empty, truncated or malformed input, trailing
 * bytes, duplicate map keys, unknown tags, or tag content of the wrong type.
 * Throws TypeError when `bytes` is not a Uint8Array.
 */
export function decode(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Value {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decode() takes a Uint8Array");
  if (bytes.length > limits.maxBytes) throw tooLarge(bytes.length, limits);
  if (bytes.length === 0) throw new CodecError("Cannot decode an empty body: send one CBOR item");
  // On a Buffer, cborg's byte strings would be Buffer views into the input
  const data = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return build(new Tokenizer(data, TOKENIZER_OPTIONS), data.length, limits);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    const reason = (err instanceof Error ? err.message : String(err)).replace(/^CBOR decode error:\s*/, "");
    throw new CodecError(`Invalid CBOR (${reason}): send one well-formed CBOR item (RFC 8949)`, { cause: err });
  }
}

/**
 * Builds the value from the token stream with an explicit stack instead of
 * recursion, so nesting costs heap, is counted as it opens, and a body of
 * `[[[[...` stops at `maxDepth + 1` tokens.
 */
function build(tokens: Tokenizer, size: number, limits: Limits): Value {
  const stack: Frame[] = [];
  for (;;) {
    if (tokens.done()) throw truncated(stack.length);
    const token = tokens.next();
    let value: Value;
    switch (token.type.major) {
      case 2:
        // cborg shares one empty array between decodes: hand out our own
        value = token.value.length === 0 ? new Uint8Array(0) : token.value;
        break;
      case 4:
      case 5: {
        if (stack.length >= limits.maxDepth) throw tooDeep(limits);
        const isArray = token.type.major === 4;
        const length = token.value as number;
        if (length === 0) {
          value = isArray ? [] : {};
          break;
        }
        // Each item takes at least a byte: fail now, before a long wait for data that is not there
        if (length !== Infinity && length * (isArray ? 1 : 2) > size - tokens.pos()) throw truncated(stack.length + 1);
        stack.push(isArray ? open(ARRAY, [], length) : open(OBJECT, {}, length));
        continue;
      }
      case 6: {
        const tagged = readTag(token.value, tokens, stack, size, limits);
        if (tagged === OPENED) continue;
        value = tagged;
        break;
      }
      case 7:
        value = token.type.name === "break" ? closeIndefinite(stack) : token.value;
        break;
      default:
        value = token.value;
    }
    // A complete value: give it to its container, which may complete in turn
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (!tokens.done()) {
          throw new CodecError(`Invalid CBOR: ${size - tokens.pos()} bytes follow the value; send exactly one CBOR item`);
        }
        return value;
      }
      if (!append(top, value)) break;
      stack.pop();
      value = top.target;
    }
  }
}

function open<F extends Frame>(kind: F["kind"], target: F["target"], length: number): F {
  return { kind, target, length, count: 0, key: undefined, hasKey: false } as F;
}

const OPENED = Symbol("opened");

function truncated(open: number): CodecError {
  return new CodecError(
    `Truncated CBOR: the input ends inside ${open} unfinished array(s) or map(s); send the whole item`,
  );
}

function closeIndefinite(stack: Frame[]): Value {
  const top = stack.pop();
  if (top === undefined || top.length !== Infinity) throw new CodecError("Invalid CBOR: a break code outside an indefinite-length array or map");
  if (top.hasKey) throw new CodecError("Invalid CBOR: an indefinite-length map ends between a key and its value");
  return top.target;
}

/** Adds a value to a frame; true when the frame is now complete. */
function append(frame: Frame, value: Value): boolean {
  if (frame.kind === ARRAY) {
    return frame.target.push(value) === frame.length;
  }
  if (!frame.hasKey) {
    if (frame.kind === OBJECT && typeof value !== "string") toMapFrame(frame);
    if (frame.kind === OBJECT ? Object.hasOwn(frame.target, value as string) : frame.target.has(value)) {
      throw new CodecError(`Invalid CBOR: the key ${keyText(value)} appears twice in one map; send each key once`);
    }
    frame.key = value;
    frame.hasKey = true;
    return false;
  }
  frame.hasKey = false;
  if (frame.kind === MAP) frame.target.set(frame.key, value);
  else if (frame.key === "__proto__") {
    // Plain assignment would call the __proto__ setter and change the prototype
    Object.defineProperty(frame.target, "__proto__", { value, enumerable: true, configurable: true, writable: true });
  } else frame.target[frame.key as string] = value;
  return ++frame.count === frame.length;
}

/** An untagged map met a non-string key: it becomes a Map, as it cannot be an object. */
function toMapFrame(frame: Frame): void {
  const map = new Map<Value, Value>(Object.entries(frame.target));
  (frame as { kind: number }).kind = MAP;
  (frame as { target: unknown }).target = map;
}

function keyText(key: Value): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "bigint") return `${key}n`;
  return typeof key === "object" && key !== null ? "(an object key)" : String(key);
}

/** Reads what a tag wraps; a Map opens a frame (returns OPENED), the rest are leaves. */
function readTag(tag: number | bigint, tokens: Tokenizer, stack: Frame[], size: number, limits: Limits): Value | typeof OPENED {
  if (tag !== 0 && tag !== 1 && tag !== 2 && tag !== 3 && tag !== 259) {
    throw new CodecError(
      `Unsupported CBOR tag ${tag}: only tags 0 and 1 (dates), 2 and 3 (bigints) and 259 (Map) are understood`,
    );
  }
  if (tokens.done()) throw truncated(stack.length);
  const inner = tokens.next();
  const major = inner.type.major;
  switch (tag) {
    case 0:
      if (major !== 3) throw badTag(tag, "an RFC 3339 date string");
      return dateFrom(Date.parse(inner.value), inner.value);
    case 1:
      if (typeof inner.value !== "number" || (major !== 0 && major !== 1 && inner.type.name !== "float")) {
        throw badTag(tag, "a number of seconds since 1970");
      }
      return dateFrom(millisFromSeconds(inner.value), inner.value);
    case 2:
    case 3: {
      if (major !== 2) throw badTag(tag, "a byte string");
      const bytes = inner.value as Uint8Array;
      if (bytes.length > MAX_BIGINT_BYTES) {
        throw new CodecError(`Invalid CBOR: a bigint of ${bytes.length} bytes is over the limit of ${MAX_BIGINT_BYTES}`);
      }
      const magnitude = bigintFrom(bytes);
      return tag === 2 ? magnitude : -1n - magnitude;
    }
    default: {
      if (major !== 5) throw badTag(tag, "a map");
      if (stack.length >= limits.maxDepth) throw tooDeep(limits);
      const length = inner.value as number;
      if (length === 0) return new Map();
      if (length !== Infinity && length * 2 > size - tokens.pos()) throw truncated(stack.length + 1);
      stack.push(open(MAP, new Map(), length));
      return OPENED;
    }
  }
}

function badTag(tag: number, expected: string): CodecError {
  return new CodecError(`Invalid CBOR: tag ${tag} must wrap ${expected}`);
}

function bigintFrom(bytes: Uint8Array): bigint {
  // Up to 6 bytes fit a double exactly: skip the string round trip
  if (bytes.length <= 6) {
    let n = 0;
    for (const b of bytes) n = n * 256 + b;
    return BigInt(n);
  }
  return BigInt(`0x${bytesToHex(bytes)}`);
}

/**
 * Epoch seconds back to milliseconds. Our encoder sent `ms / 1000`; rounding
 * alone can miss by one far from 1970, so the neighbours are tried too.
 */
function millisFromSeconds(seconds: number): number {
  const ms = Math.round(seconds * 1000);
  if (ms / 1000 === seconds) return ms;
  if ((ms - 1) / 1000 === seconds) return ms - 1;
  if ((ms + 1) / 1000 === seconds) return ms + 1;
  return ms;
}

function dateFrom(ms: number, raw: unknown): Date {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) {
    throw new CodecError(`Invalid CBOR: ${JSON.stringify(String(raw))} is not a date in JavaScript's range`);
  }
  return date;
}
