/**
 * What goes wrong when a value cannot cross the wire, and where in it.
 *
 * The encoders run one fast pass and, only when that pass fails, ask
 * `findUnencodable` to walk the value again and name the culprit. That keeps
 * the path bookkeeping off the hot path, and gives CBOR and JSON one set of
 * rules and one wording.
 *
 * @module
 */

/**
 * The one error of the codec: a value that cannot be encoded, or bytes/text
 * that cannot be decoded. `path` says where in the value, when that is known
 * (`args[1].cb`); the edges turn it into `badarg` (HTTP 400).
 */
export class CodecError extends Error {
  override name = "CodecError";
  /** Where in the value the problem is, e.g. `args[1].cb`; undefined when it concerns the whole input. */
  readonly path: string | undefined;
  constructor(message: string, options?: ErrorOptions & { path?: string }) {
    super(message, options);
    this.path = options?.path;
  }
}

/** What crosses the wire, said once so every message agrees. */
export const WIRE_TYPES =
  "only strings, numbers, bigints, booleans, null, undefined, arrays, plain objects, Maps, Uint8Array and Date cross the wire";

/** Largest bigint magnitude that crosses the wire, in bytes (2^524288): its decimal form stays cheap to print. */
export const MAX_BIGINT_BYTES = 65536;

// A value deeper than this is reported as too deep rather than walked further,
// so that explaining a failure can never itself overflow the stack.
const MAX_EXPLAIN_DEPTH = 1000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path` extended by an object key: `.name` when it reads as one, `["a b"]` otherwise. */
export function keyPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A Map key as it reads in a path, or undefined when it is not a primitive. */
function mapKeyText(key: unknown): string | undefined {
  switch (typeof key) {
    case "string":
      return JSON.stringify(key);
    case "bigint":
      return `${key}n`;
    case "number":
    case "boolean":
    case "undefined":
      return String(key);
    default:
      return key === null ? "null" : undefined;
  }
}

/** A path as a message shows it: deep ones keep their two ends, the error's `path` keeps it all. */
export function shortPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 80)}…${path.slice(-60)}`;
}

/** The message when `what` (e.g. "a function") is found at `path`, with an optional hint first. */
function refusal(what: string, path: string, hint?: string, cause?: unknown): CodecError {
  const advice = hint ? `${hint}; ${WIRE_TYPES}` : WIRE_TYPES;
  return new CodecError(`Cannot send ${what} (at ${shortPath(path)}): ${advice}`, { path, cause });
}

function cycle(path: string): CodecError {
  return new CodecError(
    `Cannot send a value that contains itself (at ${shortPath(path)}): cycles cannot cross the wire; send a copy without the back reference`,
    { path },
  );
}

function describeObject(obj: object): [what: string, hint?: string] {
  if (obj instanceof Set) return ["a Set", "send an array instead (Array.from(set))"];
  if (obj instanceof WeakMap || obj instanceof WeakSet) return [`a ${obj.constructor.name}`];
  if (obj instanceof Promise) return ["a Promise", "await it first"];
  if (obj instanceof RegExp) return ["a RegExp", "send its source as a string"];
  if (obj instanceof Error) return [`an error (${obj.name})`, "send {name, message} instead, or throw it"];
  const name = (Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return [
    name ? `an instance of ${name}` : "an object with a custom prototype",
    "give its class a toJSON() method or send a plain object",
  ];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Walks `value` with the codec's rules and returns the error for the first
 * thing that cannot cross the wire (its path starts with `root`), or
 * undefined when the whole value is fine. Never throws: a getter or a
 * `toJSON()` that throws is itself reported, with the thrown error as `cause`.
 */
export function findUnencodable(value: unknown, root = "value"): CodecError | undefined {
  return visit(value, root, [], 0);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (UTF-16 code units).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A string with a lone surrogate: UTF-8 (CBOR) cannot carry it, and the
 * encoder would silently send U+FFFD instead.
 */
function notUnicode(text: string, path: string, what = "a string"): CodecError {
  const at = Math.max(0, text.search(LONE_SURROGATE));
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  return new CodecError(
    `Cannot send ${what} that is not well-formed Unicode (at ${shortPath(path)}): a lone surrogate U+${unit} at index ${at} ` +
      "cannot be sent as UTF-8; fix the text (String.prototype.toWellFormed()) or send binary data as a Uint8Array",
    { path },
  );
}

function visit(value: unknown, path: string, ancestors: object[], depth: number): CodecError | undefined {
  switch (typeof value) {
    case "string":
      return value.isWellFormed() ? undefined : notUnicode(value, path);
    case "number":
    case "boolean":
    case "undefined":
      return undefined;
    case "bigint":
      return bigintTooLarge(value)
        ? refusal(`a bigint of more than ${MAX_BIGINT_BYTES * 8} bits`, path, "send it as a string")
        : undefined;
    case "symbol":
      return refusal("a symbol", path);
    case "function":
      return refusal(value.name ? `the function ${value.name}` : "a function", path);
  }
  if (value === null) return undefined;
  const obj = value as object;
  if (obj instanceof Uint8Array || ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return undefined;
  if (obj instanceof Date) {
    return Number.isNaN(obj.getTime()) ? refusal("an invalid Date", path, "send null or a valid Date") : undefined;
  }
  if (ancestors.includes(obj)) return cycle(path);
  if (depth >= MAX_EXPLAIN_DEPTH) {
    return new CodecError(
      `Cannot send a value nested more than ${MAX_EXPLAIN_DEPTH} levels deep (at ${shortPath(path)}): send a flatter value`,
      { path },
    );
  }
  ancestors.push(obj);
  try {
    return visitContainer(obj, path, ancestors, depth + 1);
  } finally {
    ancestors.pop();
  }
}

function visitContainer(obj: object, path: string, ancestors: object[], depth: number): CodecError | undefined {
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const at = `${path}[${i}]`;
      let item: unknown;
      try {
        item = obj[i];
      } catch (err) {
        return refusal(`an element whose getter threw (${messageOf(err)})`, at, undefined, err);
      }
      const found = visit(item, at, ancestors, depth);
      if (found) return found;
    }
    return undefined;
  }
  if (obj instanceof Map) {
    let i = 0;
    for (const [k, v] of obj) {
      const keyText = mapKeyText(k);
      const found = visit(k, `${path}.keys()[${i}]`, ancestors, depth) ??
        visit(v, keyText === undefined ? `${path}.values()[${i}]` : `${path}.get(${keyText})`, ancestors, depth);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(obj)) {
      const at = keyPath(path, key);
      if (!key.isWellFormed()) return notUnicode(key, at, "a key");
      let item: unknown;
      try {
        item = (obj as Record<string, unknown>)[key];
      } catch (err) {
        return refusal(`a property whose getter threw (${messageOf(err)})`, at, undefined, err);
      }
      const found = visit(item, at, ancestors, depth);
      if (found) return found;
    }
    return undefined;
  }
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    let json: unknown;
    try {
      json = toJSON.call(obj);
    } catch (err) {
      return refusal(`an object whose toJSON() threw (${messageOf(err)})`, path, undefined, err);
    }
    return visit(json, path, ancestors, depth);
  }
  const [what, hint] = describeObject(obj);
  return refusal(what, path, hint);
}

/** True when a bigint's magnitude needs more than `MAX_BIGINT_BYTES` bytes. */
export function bigintTooLarge(n: bigint): boolean {
  const magnitude = n < 0n ? -1n - n : n;
  return magnitude >> BigInt(MAX_BIGINT_BYTES * 8) !== 0n;
}
