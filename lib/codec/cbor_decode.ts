/**
 * CBOR decoding (RFC 8949), item by item (`cbor_reader.ts`), with size and depth
 * limits, reading back the tags `cbor_encode.ts` writes: 1 (epoch-seconds
 * dates), 2 and 3 (bigints), 27 (Erlang values, `cbor_terms.ts`), 259 (Map).
 * It also reads tag 0 (RFC 3339 date strings, what Python's cbor2 sends),
 * indefinite-length arrays, maps and strings, and untagged maps with
 * non-string keys (as a Map). Text must be UTF-8, as in JSON: it is refused,
 * not patched with U+FFFD.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { bytesToHex } from "./binary_text.ts";
import { CborReader, InvalidTextError, MalformedError } from "./cbor_reader.ts";
import { CodecError, keyPath, MAX_BIGINT_BYTES, shortPath } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits, tooDeep, tooLarge } from "./limits.ts";
import { setOwn } from "./own.ts";
import { TERM_TAG, termFromArray } from "./cbor_terms.ts";

const ARRAY = 0;
const OBJECT = 1;
const MAP = 2;
// The array of tag 27: becomes an Erlang value when complete.
const TERM = 3;

/** An array or map still being filled. `length` is Infinity for indefinite ones. */
type Frame =
  | { kind: typeof ARRAY; target: Value[]; length: number; count: number; key: Value; hasKey: boolean }
  | { kind: typeof TERM; target: Value[]; length: number; count: number; key: Value; hasKey: boolean }
  | { kind: typeof OBJECT; target: Record<string, Value>; length: number; count: number; key: Value; hasKey: boolean }
  | { kind: typeof MAP; target: Map<Value, Value>; length: number; count: number; key: Value; hasKey: boolean };

export type DecodeOptions = {
  /**
   * The caller owns `bytes` and will not change them: a large byte string
   * (64 KiB or more, and at least half of the input) comes back as a view
   * of them instead of a copy.
   */
  shareBytes?: boolean;
};

const SHARE_MIN_BYTES = 64 * 1024;

/**
 * Decodes exactly one CBOR item (see the module doc for the tags it reads).
 * Maps with only string keys become plain objects (a `"__proto__"` key is an
 * own property, never the prototype); tag 259 and maps with other keys
 * become Maps.
 *
 * Throws `TooLargeError` when `bytes` is longer than `limits.maxBytes`, and
 * `CodecError` for nesting deeper than `limits.maxDepth` (found before it is
 * built, without recursion), empty, truncated or malformed input, trailing
 * bytes, duplicate map keys, unknown tags, tag content of the wrong type, or
 * text that is not UTF-8 (the message and `path` say where).
 * Throws TypeError when `bytes` is not a Uint8Array.
 */
export function decode(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS, options: DecodeOptions = {}): Value {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decode() takes a Uint8Array");
  if (bytes.length > limits.maxBytes) throw tooLarge(bytes.length, limits);
  if (bytes.length === 0) throw new CodecError("Cannot decode an empty body: send one CBOR item");
  // On a Buffer, byte strings would be Buffer slices: hand out plain Uint8Arrays
  const data = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const tokens = new CborReader(data);
    if (options.shareBytes) tokens.shareFrom = SHARE_MIN_BYTES;
    return build(tokens, data.length, limits);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    if (!(err instanceof MalformedError)) throw err;
    throw new CodecError(`Invalid CBOR (${err.message}): send one well-formed CBOR item (RFC 8949)`, { cause: err });
  }
}

/**
 * Builds the value from the token stream with an explicit stack instead of
 * recursion, so nesting costs heap, is counted as it opens, and a body of
 * `[[[[...` stops at `maxDepth + 1` tokens.
 */
function build(tokens: CborReader, size: number, limits: Limits): Value {
  const stack: Frame[] = [];
  try {
    return buildFrom(tokens, stack, size, limits);
  } catch (err) {
    if (!(err instanceof InvalidTextError)) throw err;
    const path = pathOf(stack);
    throw new CodecError(`${err.message} (at ${shortPath(path)}); send text as UTF-8, or binary data as a byte string`, {
      path,
      cause: err,
    });
  }
}

function buildFrom(tokens: CborReader, stack: Frame[], size: number, limits: Limits): Value {
  for (;;) {
    if (tokens.done()) throw truncated(stack.length);
    const token = tokens.next();
    let value: Value;
    switch (token.major) {
      case 4:
      case 5: {
        if (stack.length >= limits.maxDepth) throw tooDeep(limits);
        const isArray = token.major === 4;
        const length = token.value as number;
        if (length === 0) {
          value = isArray ? [] : {};
          break;
        }
        // Each item takes at least a byte: fail now, before a long wait for data that is not there
        if (length !== Infinity && length * (isArray ? 1 : 2) > size - tokens.pos) throw truncated(stack.length + 1);
        stack.push(isArray ? open(ARRAY, [], length) : open(OBJECT, {}, length));
        continue;
      }
      case 6: {
        const tagged = readTag(token.value as number | bigint, tokens, stack, size, limits);
        if (tagged === OPENED) continue;
        value = tagged;
        break;
      }
      case 7:
        value = token.isBreak ? closeIndefinite(stack) : token.value as Value;
        break;
      default:
        value = token.value as Value;
    }
    // A complete value: give it to its container, which may complete in turn
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (!tokens.done()) {
          throw new CodecError(`Invalid CBOR: ${size - tokens.pos} bytes follow the value; send exactly one CBOR item`);
        }
        return value;
      }
      if (!append(top, value)) break;
      stack.pop();
      value = top.kind === TERM ? termFromArray(top.target) : top.target;
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
  if (frame.kind === ARRAY || frame.kind === TERM) {
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
  else setOwn(frame.target, frame.key as string, value);
  return ++frame.count === frame.length;
}

/** An untagged map met a non-string key: it becomes a Map, as it cannot be an object. */
function toMapFrame(frame: Frame): void {
  const map = new Map<Value, Value>(Object.entries(frame.target));
  (frame as { kind: number }).kind = MAP;
  (frame as { target: unknown }).target = map;
}

/** Where the value being read goes, e.g. `value.args[1]`; a key being read is `….keys()[n]`. */
function pathOf(stack: Frame[]): string {
  let path = "value";
  for (const frame of stack) {
    if (frame.kind === ARRAY) path += `[${frame.target.length}]`;
    else if (!frame.hasKey) path += `.keys()[${frame.count}]`;
    else if (frame.kind === OBJECT) path = keyPath(path, frame.key as string);
    else path += `.get(${keyText(frame.key)})`;
  }
  return path;
}

function keyText(key: Value): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "bigint") return `${key}n`;
  return typeof key === "object" && key !== null ? "(an object key)" : String(key);
}

/** Reads what a tag wraps; a Map opens a frame (returns OPENED), the rest are leaves. */
function readTag(tag: number | bigint, tokens: CborReader, stack: Frame[], size: number, limits: Limits): Value | typeof OPENED {
  if (tag !== 0 && tag !== 1 && tag !== 2 && tag !== 3 && tag !== 259 && tag !== TERM_TAG) {
    throw new CodecError(
      `Unsupported CBOR tag ${tag}: only tags 0 and 1 (dates), 2 and 3 (bigints), 27 (Erlang values) and 259 (Map) are understood`,
    );
  }
  if (tokens.done()) throw truncated(stack.length);
  const inner = tokens.next();
  const major = inner.major;
  switch (tag) {
    case 0:
      if (major !== 3) throw badTag(tag, "an RFC 3339 date string");
      return dateFrom(Date.parse(inner.value as string), inner.value);
    case 1:
      if (typeof inner.value !== "number" || (major !== 0 && major !== 1 && !inner.isFloat)) {
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
    case TERM_TAG: {
      if (major !== 4 || inner.value === 0 || inner.value === Infinity) throw badTag(tag, "a definite-length array");
      if (stack.length >= limits.maxDepth) throw tooDeep(limits);
      if ((inner.value as number) > size - tokens.pos) throw truncated(stack.length + 1);
      stack.push(open(TERM, [], inner.value as number));
      return OPENED;
    }
    default: {
      if (major !== 5) throw badTag(tag, "a map");
      if (stack.length >= limits.maxDepth) throw tooDeep(limits);
      const length = inner.value as number;
      if (length === 0) return new Map();
      if (length !== Infinity && length * 2 > size - tokens.pos) throw truncated(stack.length + 1);
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
