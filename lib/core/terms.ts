/**
 * The Erlang values that have no JavaScript equivalent, as small classes:
 * atoms, tuples, improper lists, bit strings, pids, references, ports and
 * funs. They live on the ground floor because every codec carries them
 * (`lib/erlang/` reads and writes them as External Term Format, JSON and
 * CBOR give them markers and tags), and `Value` in `lib/result.ts` names them.
 *
 * Construction never touches the network: a `Pid` made here is just data.
 * Each `toJSON()` gives the JSON marker `lib/codec/json_terms.ts` reads back
 * (`{"$atom":"ok"}`, `{"$tuple":[...]}`, ...).
 *
 * @module
 */
import type { Value } from "../result.ts";

/** The most characters an Erlang atom may have. */
export const MAX_ATOM_CHARS = 255;

/**
 * An Erlang atom (`:ok`, `ex@localhost`). It extends `String` so that string
 * code keeps working on it: `` `${atom}` ``, `atom.split("@")`,
 * `atom.startsWith("Elixir.")`. Two atoms are two objects, so compare with
 * `Atom.is(x, "ok")` or `a.name === b.name`, never `===`.
 *
 * `true`, `false` and `nil` never appear as Atoms: they decode to `true`,
 * `false` and `null`. Throws RangeError for a name over 255 characters,
 * which Erlang cannot hold.
 */
export class Atom extends String {
  constructor(name: string) {
    super(name);
    // Counting code points costs an array: only names long enough to be over the limit pay it.
    if (name.length > MAX_ATOM_CHARS && [...name].length > MAX_ATOM_CHARS) {
      throw new RangeError(`An atom has at most ${MAX_ATOM_CHARS} characters; this one has ${[...name].length}`);
    }
  }
  /** The atom's text. */
  get name(): string {
    return this.valueOf();
  }
  /** True when `x` is an Atom (named `name`, when given). */
  static is(x: unknown, name?: string): x is Atom {
    return x instanceof Atom && (name === undefined || x.valueOf() === name);
  }
  toJSON(): unknown {
    return { $atom: this.valueOf() };
  }
}

/**
 * An Erlang tuple (`{:ok, 1}` is `new Tuple([new Atom("ok"), 1])`). An Array
 * subclass, so `const [tag, value] = tuple` and `tuple.length` work; `map`,
 * `filter` and `slice` give plain arrays. Tell it from a list with
 * `x instanceof Tuple`.
 */
export class Tuple extends Array<Value> {
  // Array.of and Array.from call this with a length: `items.length` is then undefined, and they fill it.
  constructor(items: readonly Value[] = []) {
    super();
    for (let i = 0; i < items.length; i++) this.push(items[i]);
  }
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  toJSON(): unknown {
    return { $tuple: [...this] };
  }
}

/** A list whose last tail is not `[]`: `[1 | 2]` is `new ImproperList([1], 2)`. */
export class ImproperList {
  constructor(readonly items: readonly Value[], readonly tail: Value) {
    if (items.length === 0) throw new RangeError("An improper list has at least one element before its tail");
    if (Array.isArray(tail) && !(tail instanceof Tuple)) {
      throw new RangeError("An improper list's tail cannot be a list: append its elements instead");
    }
  }
  toJSON(): unknown {
    return { $improper: { items: this.items, tail: this.tail } };
  }
}

/** A bitstring whose length is not a whole number of bytes: `bits` (1–8) of the last byte count. */
export class BitString {
  constructor(readonly bytes: Uint8Array, readonly bits: number) {
    if (bytes.length === 0 || !Number.isInteger(bits) || bits < 1 || bits > 8) {
      throw new RangeError("A BitString has at least one byte and 1 to 8 bits used in its last byte");
    }
  }
  toJSON(): unknown {
    return { $bits: { bytes: this.bytes, bits: this.bits } };
  }
}

/** An Erlang process identifier, as data: `#PID<0.85.0>` of `node`. */
export class Pid {
  constructor(readonly node: string, readonly id: number, readonly serial: number, readonly creation: number) {}
  toString(): string {
    return `#PID<${this.node}.${this.id}.${this.serial}>`;
  }
  toJSON(): unknown {
    return { $pid: { node: this.node, id: this.id, serial: this.serial, creation: this.creation } };
  }
}

/** An Erlang reference (`make_ref()`), as data: up to five 32-bit words. */
export class Ref {
  constructor(readonly node: string, readonly creation: number, readonly ids: readonly number[]) {
    if (ids.length < 1 || ids.length > 5) throw new RangeError("A reference has 1 to 5 id words");
  }
  toString(): string {
    return `#Reference<${this.node}.${this.ids.join(".")}>`;
  }
  toJSON(): unknown {
    return { $reference: { node: this.node, creation: this.creation, ids: this.ids } };
  }
}

/** An Erlang port identifier, as data. */
export class Port {
  constructor(readonly node: string, readonly id: bigint, readonly creation: number) {}
  toString(): string {
    return `#Port<${this.node}.${this.id}>`;
  }
  toJSON(): unknown {
    const id = this.id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.id) : this.id;
    return { $port: { node: this.node, id, creation: this.creation } };
  }
}

/** An external fun, `&Mod.fun/arity` (`fun m:f/a`). */
export class ExportFun {
  constructor(readonly module: string, readonly name: string, readonly arity: number) {}
  toString(): string {
    return `&${this.module}.${this.name}/${this.arity}`;
  }
  toJSON(): unknown {
    return { $export: { module: this.module, function: this.name, arity: this.arity } };
  }
}

/**
 * A local fun (a closure) from an Erlang node: opaque, kept as its External
 * Term Format bytes (tag 112 onwards) so it can be sent back unchanged.
 */
export class OpaqueFun {
  constructor(readonly bytes: Uint8Array) {}
  toJSON(): unknown {
    return { $fun: this.bytes };
  }
}

/** True for an instance of one of the classes above. */
export function isTerm(x: unknown): x is Term {
  return x instanceof Atom || x instanceof Tuple || x instanceof ImproperList || x instanceof BitString ||
    x instanceof Pid || x instanceof Ref || x instanceof Port || x instanceof ExportFun || x instanceof OpaqueFun;
}

/** Every Erlang-only value class, for `Value`. */
export type Term = Atom | Tuple | ImproperList | BitString | Pid | Ref | Port | ExportFun | OpaqueFun;
