/**
 * External Term Format to values (see `term.ts` for the mapping). Every
 * length read from the input is checked against the bytes that remain before
 * anything is allocated, and nesting is bounded, so a hostile term ends in a
 * `CodecError`, never in a crash or a huge allocation.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { CodecError, MAX_BIGINT_BYTES } from "../codec/errors.ts";
import { DEFAULT_LIMITS, type Limits, tooLarge } from "../codec/limits.ts";
import { setOwn } from "../codec/own.ts";
import { Atom, BitString, MAX_ATOM_CHARS, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple } from "../core/terms.ts";
import { TAG } from "./term_tags.ts";
import { Reader } from "./term_reader.ts";

// ignoreBOM keeps a leading U+FEFF in the string: the binary must come back byte for byte.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder("latin1");

function malformed(message: string): CodecError {
  return new CodecError(`Malformed Erlang term: ${message}`);
}

/** An atom's text, for atoms that must stay text (node names, module names). */
function atomText(r: Reader): string {
  return atomBody(r, r.u8("an atom tag"));
}

/** The text of an atom whose tag was just read. */
function atomBody(r: Reader, tag: number): string {
  switch (tag) {
    case TAG.SMALL_ATOM_UTF8:
      return utf8Text(r.take(r.u8("an atom length"), "an atom"));
    case TAG.ATOM_UTF8:
      return utf8Text(r.take(r.u16("an atom length"), "an atom"));
    case TAG.SMALL_ATOM:
      return latin1.decode(r.take(r.u8("an atom length"), "an atom"));
    case TAG.ATOM:
      return latin1.decode(r.take(r.u16("an atom length"), "an atom"));
    case TAG.ATOM_CACHE_REF:
      throw atomCache();
    default:
      throw malformed(`expected an atom, found tag ${tag}`);
  }
}

function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new CodecError("Malformed Erlang term: an atom is not valid UTF-8", { cause: err });
  }
}

function atomCache(): CodecError {
  return new CodecError(
    "Erlang atom cache references are not supported: negotiate the distribution without DFLAG_DIST_HDR_ATOM_CACHE and DFLAG_FRAGMENTS",
  );
}

/** `true`, `false` and `nil` are JavaScript's; every other atom stays an Atom. */
function atomValue(name: string): Value {
  if (name === "true") return true;
  if (name === "false") return false;
  if (name === "nil") return null;
  if (name.length > MAX_ATOM_CHARS && [...name].length > MAX_ATOM_CHARS) {
    throw malformed(`an atom of more than ${MAX_ATOM_CHARS} characters`);
  }
  return new Atom(name);
}

/** A little-endian magnitude of `n` bytes with its sign: a number when it is safe, else a bigint. */
function big(r: Reader, n: number): Value {
  const sign = r.u8("a bignum sign");
  if (n > MAX_BIGINT_BYTES) throw new CodecError(`Erlang integer of ${n} bytes is over the limit of ${MAX_BIGINT_BYTES} bytes`);
  const digits = r.take(n, "a bignum");
  let m = 0n;
  for (let i = n - 1; i >= 0; i--) m = (m << 8n) | BigInt(digits[i]);
  const v = sign === 0 ? m : -m;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function binary(bytes: Uint8Array): Value {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.slice();
  }
}

function tuple(r: Reader, arity: number): Tuple {
  r.expect(arity, 1, "a tuple");
  r.enter();
  const t = new Tuple();
  for (let i = 0; i < arity; i++) t.push(term(r));
  r.leave();
  return t;
}

const isList = (x: Value): x is Value[] => Array.isArray(x) && !(x instanceof Tuple);

function list(r: Reader): Value {
  const n = r.u32("a list length");
  r.expect(n, 1, "a list");
  r.enter();
  const items: Value[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = term(r);
  const tail = term(r);
  r.leave();
  // [1, 2 | [3]] is the proper list [1, 2, 3], however it was written.
  if (isList(tail)) return items.concat(tail);
  if (tail instanceof ImproperList) return new ImproperList(items.concat(tail.items), tail.tail);
  if (n === 0) throw malformed("a list with no elements before its tail");
  return new ImproperList(items, tail);
}

function map(r: Reader): Value {
  const arity = r.u32("a map size");
  r.expect(arity, 2, "a map");
  r.enter();
  const keys: Value[] = new Array(arity);
  const values: Value[] = new Array(arity);
  let allText = true;
  for (let i = 0; i < arity; i++) {
    keys[i] = term(r);
    values[i] = term(r);
    if (typeof keys[i] !== "string") allText = false;
  }
  r.leave();
  if (allText) {
    const record: Record<string, Value> = {};
    for (let i = 0; i < arity; i++) setOwn(record, keys[i] as string, values[i]);
    return record;
  }
  const m = new Map<Value, Value>();
  for (let i = 0; i < arity; i++) m.set(keys[i], values[i]);
  return m;
}

function term(r: Reader): Value {
  const at = r.pos;
  const tag = r.u8("a tag");
  switch (tag) {
    case TAG.SMALL_INTEGER:
      return r.u8("an integer");
    case TAG.INTEGER:
      return r.i32("an integer");
    case TAG.SMALL_BIG:
      return big(r, r.u8("a bignum length"));
    case TAG.LARGE_BIG:
      return big(r, r.u32("a bignum length"));
    case TAG.NEW_FLOAT:
      return r.f64();
    case TAG.FLOAT: {
      const v = Number.parseFloat(latin1.decode(r.take(31, "a float")));
      if (Number.isNaN(v)) throw malformed(`a FLOAT_EXT at byte ${at} is not a number`);
      return v;
    }
    case TAG.ATOM_UTF8:
    case TAG.SMALL_ATOM_UTF8:
    case TAG.ATOM:
    case TAG.SMALL_ATOM:
    case TAG.ATOM_CACHE_REF:
      return atomValue(atomBody(r, tag));
    case TAG.SMALL_TUPLE:
      return tuple(r, r.u8("a tuple arity"));
    case TAG.LARGE_TUPLE:
      return tuple(r, r.u32("a tuple arity"));
    case TAG.NIL:
      return [];
    case TAG.STRING: {
      const bytes = r.take(r.u16("a string length"), "a string");
      return Array.from(bytes);
    }
    case TAG.LIST:
      return list(r);
    case TAG.BINARY:
      return binary(r.take(r.u32("a binary length"), "a binary"));
    case TAG.BIT_BINARY: {
      const len = r.u32("a bitstring length");
      const bits = r.u8("a bitstring's last bits");
      const bytes = r.take(len, "a bitstring");
      if (bits === 8) return binary(bytes);
      if (len === 0 || bits < 1 || bits > 8) throw malformed(`a bitstring at byte ${at} has ${len} bytes and ${bits} bits`);
      return new BitString(bytes.slice(), bits);
    }
    case TAG.MAP:
      return map(r);
    default:
      return other(r, tag, at);
  }
}

/** Pids, references, ports and funs: the rarer tags. */
function other(r: Reader, tag: number, at: number): Value {
  switch (tag) {
    case TAG.NEW_PID:
      return new Pid(atomText(r), r.u32("a pid id"), r.u32("a pid serial"), r.u32("a pid creation"));
    case TAG.PID:
      return new Pid(atomText(r), r.u32("a pid id"), r.u32("a pid serial"), r.u8("a pid creation"));
    case TAG.NEWER_REFERENCE:
    case TAG.NEW_REFERENCE: {
      const n = r.u16("a reference length");
      if (n < 1 || n > 5) throw malformed(`a reference at byte ${at} has ${n} id words (1 to 5 expected)`);
      const node = atomText(r);
      const creation = tag === TAG.NEWER_REFERENCE ? r.u32("a reference creation") : r.u8("a reference creation");
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push(r.u32("a reference id"));
      return new Ref(node, creation, ids);
    }
    case TAG.REFERENCE: {
      const node = atomText(r);
      const id = r.u32("a reference id");
      return new Ref(node, r.u8("a reference creation"), [id]);
    }
    case TAG.NEW_PORT:
      return new Port(atomText(r), BigInt(r.u32("a port id")), r.u32("a port creation"));
    case TAG.V4_PORT: {
      const node = atomText(r);
      const id = (BigInt(r.u32("a port id")) << 32n) | BigInt(r.u32("a port id"));
      return new Port(node, id, r.u32("a port creation"));
    }
    case TAG.PORT:
      return new Port(atomText(r), BigInt(r.u32("a port id")), r.u8("a port creation"));
    case TAG.EXPORT: {
      const module = atomText(r);
      const name = atomText(r);
      if (r.u8("an arity tag") !== TAG.SMALL_INTEGER) throw malformed(`the arity of an export at byte ${at} is not a small integer`);
      return new ExportFun(module, name, r.u8("an arity"));
    }
    case TAG.NEW_FUN: {
      // Size counts itself and everything after it: the fun is kept whole, as bytes.
      const size = r.u32("a fun size");
      if (size < 4) throw malformed(`a fun at byte ${at} claims ${size} bytes`);
      r.take(size - 4, "a fun");
      return new OpaqueFun(r.copy(at, r.pos));
    }
    case TAG.COMPRESSED:
      throw new CodecError("Compressed Erlang terms are not supported: encode with term_to_binary/1 without `compressed`");
    default:
      throw malformed(`unknown tag ${tag} at byte ${at}`);
  }
}

/**
 * Decodes the term (131 first) at `offset` of `bytes`; see `decodeTermAt` in
 * `term.ts`. Throws `CodecError`.
 */
export function decodeAt(bytes: Uint8Array, offset: number, limits: Limits = DEFAULT_LIMITS): { value: Value; end: number } {
  if (bytes.length > limits.maxBytes) throw tooLarge(bytes.length, limits);
  if (bytes[offset] !== 131) {
    throw new CodecError(
      offset >= bytes.length
        ? "Empty Erlang term: expected the version byte 131"
        : `Not an Erlang term: expected the version byte 131 at byte ${offset}, found ${bytes[offset]}`,
    );
  }
  const r = new Reader(bytes, offset + 1, limits);
  return { value: term(r), end: r.pos };
}

/** Decodes exactly one term filling `bytes`; see `decodeTerm` in `term.ts`. Throws `CodecError`. */
export function decode(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Value {
  const { value, end } = decodeAt(bytes, 0, limits);
  if (end !== bytes.length) throw new CodecError(`Erlang term ends at byte ${end} but ${bytes.length - end} bytes follow it`);
  return value;
}
