/**
 * The JSON mapping, for people with curl. JSON carries strings, finite
 * numbers, booleans, null, arrays and objects as they are; the rest of a
 * `Value` travels as an object with one marker key:
 *
 * | value               | JSON                                     |
 * |---------------------|------------------------------------------|
 * | bigint              | `{"$bigint":"123"}`                      |
 * | Uint8Array          | `{"$bytes":"AQID"}` (standard base64)    |
 * | Date                | `{"$date":"2024-01-02T03:04:05.678Z"}`   |
 * | undefined           | `{"$undefined":true}`                    |
 * | Map                 | `{"$map":[[key, value], ...]}`           |
 * | NaN, Infinity, -Inf | `{"$float":"NaN"}`, `"Infinity"`, `"-Infinity"` |
 *
 * On input only an object whose single key is one of these six is a marker.
 * Any other object is a plain object, including one whose single key starts
 * with "$" but is not a marker (`{"$ref":"x"}` stays `{"$ref":"x"}`). The
 * reverse is the one ambiguity: a plain object that looks exactly like a
 * marker (`{"$date":"..."}`) is read back as what the marker means; use CBOR
 * when such objects must survive. Numbers beyond 2^53 lose precision, as in
 * any JSON: send them as `{"$bigint":...}`. When a key repeats in the text,
 * the last one wins (JSON.parse's rule).
 *
 * @module
 */
import type { Value } from "../result.ts";
import { bigintTooLarge, CodecError, findUnencodable, keyPath, MAX_BIGINT_BYTES, shortPath } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits, tooDeep, tooLarge } from "./limits.ts";

export type EncodeJsonOptions = {
  /** How the value is named in error paths (`args` gives `args[1].cb`). Default `"value"`. */
  root?: string;
};

// ---------------------------------------------------------------------------
// Value -> JSON
// ---------------------------------------------------------------------------

// Thrown by the fast walk; `findUnencodable` then says what and where.
const REFUSED = Symbol("refused");

type Base64Bytes = Uint8Array & { toBase64?(): string };

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Base64Bytes).toBase64;
  if (native) return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment would call the __proto__ setter and change the prototype
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  } else target[key] = value;
}

function tree(value: unknown, ancestors: object[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      return { $float: Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity" };
    case "bigint":
      if (bigintTooLarge(value)) throw REFUSED;
      return { $bigint: value.toString() };
    case "undefined":
      return { $undefined: true };
    case "symbol":
    case "function":
      throw REFUSED;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Uint8Array) return { $bytes: toBase64(obj) };
  if (ArrayBuffer.isView(obj)) return { $bytes: toBase64(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength)) };
  if (obj instanceof ArrayBuffer) return { $bytes: toBase64(new Uint8Array(obj)) };
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw REFUSED;
    return { $date: obj.toISOString() };
  }
  if (ancestors.includes(obj)) throw REFUSED;
  ancestors.push(obj);
  let out: unknown;
  if (Array.isArray(obj)) {
    const list = new Array(obj.length);
    for (let i = 0; i < obj.length; i++) list[i] = tree(obj[i], ancestors);
    out = list;
  } else if (obj instanceof Map) {
    const entries: unknown[] = [];
    for (const [k, v] of obj) entries.push([tree(k, ancestors), tree(v, ancestors)]);
    out = { $map: entries };
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype || proto === null) {
      const record: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) setOwn(record, key, tree((obj as Record<string, unknown>)[key], ancestors));
      out = record;
    } else {
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON !== "function") throw REFUSED;
      out = tree(toJSON.call(obj), ancestors);
    }
  }
  ancestors.pop();
  return out;
}

function jsonTree(value: unknown, root: string): unknown {
  try {
    return tree(value, []);
  } catch (err) {
    const found = findUnencodable(value, root);
    if (found) throw found;
    if (err instanceof CodecError) throw err;
    const message = err === REFUSED ? "it holds something that cannot cross the wire" : String((err as Error)?.message ?? err);
    throw new CodecError(`Cannot send ${root} as JSON: ${message}`, { cause: err });
  }
}

/**
 * The JSON-safe tree of a value, markers included (see the module doc): the
 * result can be given to JSON.stringify as is.
 *
 * Throws `CodecError`, with the path of the culprit, for what `encode` also
 * refuses (a cycle, an invalid Date, ...), which a `Value` from `decode`
 * never holds.
 */
export function toJson(value: Value): unknown {
  return jsonTree(value, "value");
}

/**
 * A value as JSON text, markers included. Objects with a `toJSON()` method
 * (other than plain objects and Dates) are sent as what it returns.
 *
 * Throws `CodecError`, with the path of the culprit, for anything that cannot
 * cross the wire: functions, symbols, cycles, Sets, WeakMaps, Promises, class
 * instances without `toJSON()`, invalid Dates, bigints over
 * `MAX_BIGINT_BYTES`, or a getter/`toJSON()` that throws.
 */
export function encodeJson(value: unknown, options: EncodeJsonOptions = {}): string {
  return JSON.stringify(jsonTree(value, options.root ?? "value"));
}

// ---------------------------------------------------------------------------
// JSON -> Value
// ---------------------------------------------------------------------------

const MARKERS = new Set(["$bigint", "$bytes", "$date", "$undefined", "$map", "$float"]);

// Decimal digits of the largest bigint that crosses the wire
const MAX_BIGINT_DIGITS = Math.ceil(MAX_BIGINT_BYTES * 8 * Math.log10(2)) + 1;
const INTEGER = /^-?\d+$/;
const ISO_DATE = /^[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/;

/** A problem found deep in a tree; its path is collected as the stack unwinds. */
class Misplaced {
  readonly segments: string[] = [];
  constructor(readonly what: string, readonly advice: string, readonly cause?: unknown) {}
}

function within(err: unknown, segment: string): unknown {
  if (err instanceof Misplaced) err.segments.push(segment);
  return err;
}

type Base64Codec = { fromBase64?(text: string): Uint8Array };

function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as Base64Codec).fromBase64;
  if (native) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function malformed(key: string, advice: string, cause?: unknown): Misplaced {
  return new Misplaced(`Malformed {"${key}": ...} marker`, advice, cause);
}

function fromTree(x: unknown, depth: number, limits: Limits): Value {
  if (typeof x !== "object" || x === null) {
    if (typeof x === "string" || typeof x === "boolean" || x === null || Number.isFinite(x)) return x as Value;
    throw new Misplaced(`Not a JSON value (${typeof x})`, "pass what JSON.parse returns");
  }
  if (depth >= limits.maxDepth) throw tooDeep(limits);
  if (Array.isArray(x)) {
    const list: Value[] = new Array(x.length);
    let i = 0;
    try {
      for (; i < x.length; i++) list[i] = fromTree(x[i], depth + 1, limits);
    } catch (err) {
      throw within(err, `[${i}]`);
    }
    return list;
  }
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) {
    throw new Misplaced("Not a JSON value (an object with a prototype)", "pass what JSON.parse returns");
  }
  const record = x as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && MARKERS.has(keys[0])) return marker(keys[0], record[keys[0]], depth + 1, limits);
  const out: Record<string, Value> = {};
  let key = "";
  try {
    for (key of keys) setOwn(out, key, fromTree(record[key], depth + 1, limits));
  } catch (err) {
    throw within(err, keyPath("", key));
  }
  return out;
}

/** A marker's meaning; `depth` counts the containers around its content. */
function marker(key: string, content: unknown, depth: number, limits: Limits): Value {
  switch (key) {
    case "$bigint":
      if (typeof content !== "string" || !INTEGER.test(content)) {
        throw malformed(key, 'expected a string of decimal digits, like {"$bigint":"-123"}');
      }
      if (content.length > MAX_BIGINT_DIGITS) throw malformed(key, `a bigint has at most ${MAX_BIGINT_DIGITS} digits`);
      return BigInt(content);
    case "$bytes":
      if (typeof content !== "string") throw malformed(key, 'expected a base64 string, like {"$bytes":"AQID"}');
      try {
        return fromBase64(content);
      } catch (err) {
        throw malformed(key, 'expected standard base64 (A-Z a-z 0-9 + /), like {"$bytes":"AQID"}', err);
      }
    case "$date": {
      const ms = typeof content === "string" && ISO_DATE.test(content) ? Date.parse(content) : NaN;
      if (Number.isNaN(ms)) {
        throw malformed(key, 'expected an ISO 8601 date-time, like {"$date":"2024-01-02T03:04:05.678Z"}');
      }
      return new Date(ms);
    }
    case "$undefined":
      if (content !== true) throw malformed(key, 'write {"$undefined":true}');
      return undefined;
    case "$float":
      if (content === "NaN") return NaN;
      if (content === "Infinity") return Infinity;
      if (content === "-Infinity") return -Infinity;
      throw malformed(key, 'expected "NaN", "Infinity" or "-Infinity"');
    default:
      return mapFrom(content, depth, limits);
  }
}

function mapFrom(content: unknown, depth: number, limits: Limits): Map<Value, Value> {
  const advice = 'expected a list of [key, value] pairs, like {"$map":[[1,"one"]]}';
  if (!Array.isArray(content)) throw malformed("$map", advice);
  // The list and each pair are a level of JSON nesting, as the text scan counts them
  if (depth + (content.length > 0 ? 2 : 1) > limits.maxDepth) throw tooDeep(limits);
  const map = new Map<Value, Value>();
  for (let i = 0; i < content.length; i++) {
    const pair = content[i];
    let at = "";
    try {
      if (!Array.isArray(pair) || pair.length !== 2) throw malformed("$map", advice);
      at = "[0]";
      const key = fromTree(pair[0], depth + 2, limits);
      if (map.has(key)) throw malformed("$map", `the key ${JSON.stringify(pair[0])} appears twice; send each key once`);
      at = "[1]";
      map.set(key, fromTree(pair[1], depth + 2, limits));
    } catch (err) {
      throw within(within(err, at), `.$map[${i}]`);
    }
  }
  return map;
}

/**
 * The value a JSON tree (what JSON.parse returns) stands for, markers read
 * back (see the module doc). Objects are built so that a `"__proto__"` key
 * stays an own property.
 *
 * Throws `CodecError`, with the path, for a malformed marker (`{"$bigint":"x"}`),
 * a duplicate key in `{"$map": ...}`, nesting deeper than `limits.maxDepth`,
 * or something JSON.parse cannot produce (a function, a class instance).
 */
export function fromJson(tree: unknown, limits: Limits = DEFAULT_LIMITS): Value {
  try {
    return fromTree(tree, 0, limits);
  } catch (err) {
    if (err instanceof Misplaced) {
      const path = `value${err.segments.reverse().join("")}`;
      throw new CodecError(`${err.what} (at ${shortPath(path)}): ${err.advice}`, { path, cause: err.cause });
    }
    if (err instanceof CodecError) throw err;
    throw new CodecError(`Cannot read the JSON value: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte character
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Rejects nesting deeper than the limit by counting brackets outside
 * strings, before JSON.parse builds anything: `[[[[...` costs a scan up to
 * the first bracket too many, never a tree or a stack.
 */
function checkDepth(text: string, limits: Limits): void {
  if (text.length <= limits.maxDepth) return;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limits.maxDepth) throw tooDeep(limits);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * Parses JSON text (or its UTF-8 bytes) and reads its markers back.
 *
 * Throws `TooLargeError` when the text is longer than `limits.maxBytes`
 * bytes of UTF-8, and `CodecError` for nesting deeper than `limits.maxDepth`
 * (found before parsing), invalid UTF-8 or JSON (JSON.parse's reason in the
 * message), or what `fromJson` refuses. Throws TypeError for other input types.
 */
export function decodeJson(text: string | Uint8Array, limits: Limits = DEFAULT_LIMITS): Value {
  let source: string;
  if (typeof text === "string") {
    // Every UTF-16 unit is at least one byte of UTF-8, and at most three
    if (text.length > limits.maxBytes) throw tooLarge(text.length, limits);
    if (text.length * 3 > limits.maxBytes) {
      const size = utf8Length(text);
      if (size > limits.maxBytes) throw tooLarge(size, limits);
    }
    source = text;
  } else if (text instanceof Uint8Array) {
    if (text.length > limits.maxBytes) throw tooLarge(text.length, limits);
    try {
      source = UTF8.decode(text);
    } catch (err) {
      throw new CodecError("Invalid JSON: the body is not UTF-8 text; send UTF-8", { cause: err });
    }
  } else {
    throw new TypeError("decodeJson() takes a string or a Uint8Array");
  }
  checkDepth(source, limits);
  let tree: unknown;
  try {
    tree = JSON.parse(source);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CodecError(`Invalid JSON (${reason}): send one well-formed JSON value`, { cause: err });
  }
  return fromJson(tree, limits);
}
