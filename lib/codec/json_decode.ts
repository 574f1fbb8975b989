/**
 * JSON to values: parses what curl users send and reads the markers of
 * `json_encode.ts` back, and the Erlang markers of `json_terms.ts`
 * (`{"$atom":"ok"}`, `{"$tuple":[...]}`, ...). Only an object whose single key
 * is one of the markers is a marker. Any other object is a plain object, including one
 * whose single key starts with "$" but is not a marker (`{"$ref":"x"}` stays
 * `{"$ref":"x"}`). Numbers beyond 2^53 lose precision, as in any JSON: send
 * them as `{"$bigint":...}`. When a key repeats in the text, the last one
 * wins (JSON.parse's rule).
 *
 * @module
 */
import type { Value } from "../result.ts";
import { fromBase64 } from "./binary_text.ts";
import { CodecError, keyPath, MAX_BIGINT_BYTES, shortPath } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits, tooDeep, tooLarge } from "./limits.ts";
import { setOwn } from "./own.ts";
import { TERM_MARKERS, termMarker } from "./json_terms.ts";

const MARKERS = new Set(["$bigint", "$bytes", "$date", "$undefined", "$map", "$float", ...TERM_MARKERS]);

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
    case "$map":
      return mapFrom(content, depth, limits);
    default:
      return termMarker(key, content, depth, {
        read: (x, d) => fromTree(x, d, limits),
        fail: (advice) => {
          throw malformed(key, advice);
        },
      });
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
