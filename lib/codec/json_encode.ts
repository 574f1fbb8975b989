/**
 * Values to JSON, for people with curl. JSON carries strings, finite
 * numbers, booleans, null, arrays and objects as they are; the rest of a
 * `Value` travels as an object with one marker key (`json_decode.ts` reads
 * them back):
 *
 * | value               | JSON                                     |
 * |---------------------|------------------------------------------|
 * | bigint              | `{"$bigint":"123"}`                      |
 * | Uint8Array          | `{"$bytes":"AQID"}` (standard base64)    |
 * | Date                | `{"$date":"2024-01-02T03:04:05.678Z"}`   |
 * | undefined           | `{"$undefined":true}`                    |
 * | Map                 | `{"$map":[[key, value], ...]}`           |
 * | NaN, Infinity, -Inf | `{"$float":"NaN"}`, `"Infinity"`, `"-Infinity"` |
 * | Erlang values       | `{"$atom":"ok"}`, `{"$tuple":[...]}`, ... (`json_terms.ts`) |
 *
 * The one ambiguity: a plain object that looks exactly like a marker
 * (`{"$date":"..."}`) is read back as what the marker means; use CBOR when
 * such objects must survive.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { toBase64 } from "./binary_text.ts";
import { bigintTooLarge, CodecError, findUnencodable } from "./errors.ts";
import { setOwn } from "./own.ts";
import { Tuple } from "../core/terms.ts";

export type EncodeJsonOptions = {
  /** How the value is named in error paths (`args` gives `args[1].cb`). Default `"value"`. */
  root?: string;
};

// Thrown by the fast walk; `findUnencodable` then says what and where.
const REFUSED = Symbol("refused");

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
    out = obj instanceof Tuple ? { $tuple: list } : list;
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
