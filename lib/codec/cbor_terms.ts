/**
 * Erlang values in CBOR: tag 27 (IANA's "serialised language-independent
 * object": an array of a type name and constructor arguments) around
 *
 * | value        | array                                          |
 * |--------------|------------------------------------------------|
 * | Atom         | `["erlang.atom", name]`                        |
 * | Tuple        | `["erlang.tuple", item, ...]`                  |
 * | ImproperList | `["erlang.improper", [item, ...], tail]`       |
 * | BitString    | `["erlang.bits", bytes, bits]`                 |
 * | Pid          | `["erlang.pid", node, id, serial, creation]`   |
 * | Ref          | `["erlang.ref", node, creation, id, ...]`      |
 * | Port         | `["erlang.port", node, id, creation]`          |
 * | ExportFun    | `["erlang.export", module, function, arity]`   |
 * | OpaqueFun    | `["erlang.fun", bytes]`                        |
 *
 * @module
 */
import type { Value } from "../result.ts";
import { Atom, BitString, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, type Term, Tuple } from "../core/terms.ts";
import { CodecError } from "./errors.ts";

/** The tag that wraps every Erlang value. */
export const TERM_TAG = 27;

/** The type name and constructor arguments of a term (the array tag 27 wraps). */
export function termArray(t: Term): unknown[] {
  if (t instanceof Atom) return ["erlang.atom", t.valueOf()];
  if (t instanceof Tuple) return ["erlang.tuple", ...t];
  if (t instanceof ImproperList) return ["erlang.improper", t.items, t.tail];
  if (t instanceof BitString) return ["erlang.bits", t.bytes, t.bits];
  if (t instanceof Pid) return ["erlang.pid", t.node, t.id, t.serial, t.creation];
  if (t instanceof Ref) return ["erlang.ref", t.node, t.creation, ...t.ids];
  if (t instanceof Port) return ["erlang.port", t.node, t.id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t.id) : t.id, t.creation];
  if (t instanceof ExportFun) return ["erlang.export", t.module, t.name, t.arity];
  return ["erlang.fun", t.bytes];
}

const isUint32 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
const isText = (x: unknown): x is string => typeof x === "string" && x.length > 0;

function bad(name: unknown, expected: string): CodecError {
  const what = typeof name === "string" ? name : "an Erlang value";
  return new CodecError(`Invalid CBOR: tag ${TERM_TAG} ${what} must hold ${expected}`);
}

/** The term a tag-27 array stands for. Throws `CodecError` for an unknown type name or fields of the wrong type. */
export function termFromArray(a: Value[]): Term {
  try {
    return build(a);
  } catch (err) {
    if (err instanceof RangeError) throw new CodecError(`Invalid CBOR: ${err.message}`, { cause: err });
    throw err;
  }
}

function build(a: Value[]): Term {
  const [name, ...args] = a;
  switch (name) {
    case "erlang.atom":
      if (args.length !== 1 || typeof args[0] !== "string") throw bad(name, "[name]");
      return new Atom(args[0]);
    case "erlang.tuple":
      return new Tuple(args);
    case "erlang.improper":
      if (args.length !== 2 || !Array.isArray(args[0])) throw bad(name, "[[item, ...], tail]");
      return new ImproperList(args[0], args[1]);
    case "erlang.bits":
      if (args.length !== 2 || !(args[0] instanceof Uint8Array) || !Number.isInteger(args[1])) throw bad(name, "[bytes, bits]");
      return new BitString(args[0], args[1] as number);
    case "erlang.pid":
      if (args.length !== 4 || !isText(args[0]) || !args.slice(1).every(isUint32)) throw bad(name, "[node, id, serial, creation]");
      return new Pid(args[0], args[1] as number, args[2] as number, args[3] as number);
    case "erlang.ref":
      if (args.length < 3 || !isText(args[0]) || !args.slice(1).every(isUint32)) throw bad(name, "[node, creation, id, ...]");
      return new Ref(args[0], args[1] as number, args.slice(2) as number[]);
    case "erlang.port": {
      const id = args[1];
      const okId = (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) || (typeof id === "bigint" && id >= 0n);
      if (args.length !== 3 || !isText(args[0]) || !okId || !isUint32(args[2])) throw bad(name, "[node, id, creation]");
      return new Port(args[0], BigInt(id as number | bigint), args[2] as number);
    }
    case "erlang.export":
      if (args.length !== 3 || !isText(args[0]) || !isText(args[1]) || !Number.isInteger(args[2])) {
        throw bad(name, "[module, function, arity]");
      }
      return new ExportFun(args[0], args[1], args[2] as number);
    case "erlang.fun":
      if (args.length !== 1 || !(args[0] instanceof Uint8Array)) throw bad(name, "[bytes]");
      return new OpaqueFun(args[0]);
    default:
      throw bad(name, 'an array that starts with a known type name ("erlang.atom", "erlang.tuple", ...)');
  }
}
