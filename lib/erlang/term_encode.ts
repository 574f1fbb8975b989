/**
 * Values to External Term Format (see `term.ts` for the mapping). The
 * encoder is strict: anything Erlang would not decode the same way (NaN, a
 * cycle, a Map whose keys collide once encoded) is refused with a
 * `CodecError` that says where, because one bad term on a distribution link
 * makes the Erlang node drop the whole link.
 *
 * @module
 */
import { bytesToHex } from "../codec/binary_text.ts";
import { bigintTooLarge, CodecError, keyPath, MAX_BIGINT_BYTES, shortPath } from "../codec/errors.ts";
import { Atom, BitString, MAX_ATOM_CHARS, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple } from "../core/terms.ts";
import { TAG, VERSION } from "./term_tags.ts";
import { Writer } from "./term_writer.ts";

const textEncoder = new TextEncoder();
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** What the encoder is given: where to report errors from, and how deep it may go. */
export type EncodeSettings = { root: string; maxDepth: number; versionByte: boolean };

class Encoder {
  readonly #w = new Writer();
  readonly #path: string[];
  readonly #open = new Set<object>();
  readonly #maxDepth: number;

  constructor(settings: EncodeSettings) {
    this.#path = [settings.root];
    this.#maxDepth = settings.maxDepth;
    if (settings.versionByte) this.#w.u8(VERSION);
  }

  result(): Uint8Array {
    return this.#w.result();
  }

  #fail(what: string, advice: string): never {
    const path = this.#path.join("");
    throw new CodecError(`Cannot send ${what} to an Erlang node (at ${shortPath(path)}): ${advice}`, { path });
  }

  /** Encodes `v` with `segment` appended to the error path. */
  #child(segment: string, v: unknown): void {
    this.#path.push(segment);
    this.value(v);
    this.#path.pop();
  }

  value(v: unknown): void {
    switch (typeof v) {
      case "string":
        return this.#binary(textEncoder.encode(v));
      case "number":
        // Past 2^53 a number is a float that happens to be whole (an exact integer there is a bigint).
        if (Number.isSafeInteger(v)) return this.#integer(v);
        if (!Number.isFinite(v)) this.#fail(String(v), "Erlang floats are finite; send null or a string instead");
        this.#w.u8(TAG.NEW_FLOAT);
        return this.#w.f64(v);
      case "bigint":
        if (bigintTooLarge(v)) this.#fail(`a bigint of more than ${MAX_BIGINT_BYTES * 8} bits`, "send it as a string");
        return v >= INT32_MIN && v <= INT32_MAX ? this.#integer(Number(v)) : this.#big(v);
      case "boolean":
        return this.#atom(v ? "true" : "false");
      case "undefined":
        return this.#atom("nil");
      case "symbol":
        return this.#fail("a symbol", "send a string or an Atom");
      case "function":
        return this.#fail(v.name ? `the function ${v.name}` : "a function", "functions cannot cross to Erlang");
    }
    if (v === null) return this.#atom("nil");
    this.#object(v as object);
  }

  #integer(n: number): void {
    if (n >= 0 && n <= 255) {
      this.#w.u8(TAG.SMALL_INTEGER);
      this.#w.u8(n);
    } else if (n >= INT32_MIN && n <= INT32_MAX) {
      this.#w.u8(TAG.INTEGER);
      this.#w.i32(n);
    } else this.#big(BigInt(n));
  }

  #big(n: bigint): void {
    const digits: number[] = [];
    for (let m = n < 0n ? -n : n; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
    if (digits.length <= 255) {
      this.#w.u8(TAG.SMALL_BIG);
      this.#w.u8(digits.length);
    } else {
      this.#w.u8(TAG.LARGE_BIG);
      this.#w.u32(digits.length);
    }
    this.#w.u8(n < 0n ? 1 : 0);
    this.#w.bytes(Uint8Array.from(digits));
  }

  #atom(name: string): void {
    if (name.length > MAX_ATOM_CHARS && [...name].length > MAX_ATOM_CHARS) {
      this.#fail(`an atom of more than ${MAX_ATOM_CHARS} characters`, "Erlang atoms are shorter; send a string instead");
    }
    const bytes = textEncoder.encode(name);
    if (bytes.length <= 255) {
      this.#w.u8(TAG.SMALL_ATOM_UTF8);
      this.#w.u8(bytes.length);
    } else {
      this.#w.u8(TAG.ATOM_UTF8);
      this.#w.u16(bytes.length);
    }
    this.#w.bytes(bytes);
  }

  #binary(bytes: Uint8Array): void {
    this.#w.u8(TAG.BINARY);
    this.#w.u32(bytes.length);
    this.#w.bytes(bytes);
  }

  #object(o: object): void {
    if (o instanceof Atom) return this.#atom(o.valueOf());
    if (o instanceof Uint8Array) return this.#binary(o);
    if (ArrayBuffer.isView(o)) return this.#binary(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    if (o instanceof ArrayBuffer) return this.#binary(new Uint8Array(o));
    if (o instanceof Date) {
      if (Number.isNaN(o.getTime())) this.#fail("an invalid Date", "send null or a valid Date");
      return this.#binary(textEncoder.encode(o.toISOString()));
    }
    if (o instanceof Pid || o instanceof Ref || o instanceof Port || o instanceof ExportFun || o instanceof OpaqueFun) {
      return this.#identifier(o);
    }
    if (o instanceof BitString) {
      this.#w.u8(TAG.BIT_BINARY);
      this.#w.u32(o.bytes.length);
      this.#w.u8(o.bits);
      return this.#w.bytes(o.bytes);
    }
    if (this.#open.has(o)) this.#fail("a value that contains itself", "cycles cannot cross the wire; send a copy without the back reference");
    if (this.#open.size >= this.#maxDepth) {
      this.#fail(`a value nested more than ${this.#maxDepth} levels deep`, "send a flatter value");
    }
    this.#open.add(o);
    this.#container(o);
    this.#open.delete(o);
  }

  #container(o: object): void {
    if (o instanceof Tuple) {
      if (o.length <= 255) {
        this.#w.u8(TAG.SMALL_TUPLE);
        this.#w.u8(o.length);
      } else {
        this.#w.u8(TAG.LARGE_TUPLE);
        this.#w.u32(o.length);
      }
      for (let i = 0; i < o.length; i++) this.#child(`[${i}]`, o[i]);
    } else if (Array.isArray(o)) this.#list(o);
    else if (o instanceof ImproperList) {
      this.#w.u8(TAG.LIST);
      this.#w.u32(o.items.length);
      for (let i = 0; i < o.items.length; i++) this.#child(`.items[${i}]`, o.items[i]);
      this.#child(".tail", o.tail);
    } else if (o instanceof Map) this.#map(o);
    else {
      const proto = Object.getPrototypeOf(o);
      if (proto === Object.prototype || proto === null) return this.#record(o as Record<string, unknown>);
      const toJSON = (o as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") return this.value(toJSON.call(o));
      const name = (proto as { constructor?: { name?: string } } | null)?.constructor?.name;
      this.#fail(name ? `an instance of ${name}` : "an object with a custom prototype", "give its class a toJSON() method or send a plain object");
    }
  }

  #list(items: unknown[]): void {
    if (items.length === 0) return this.#w.u8(TAG.NIL);
    // A list of bytes is written as STRING_EXT, as term_to_binary does.
    if (items.length <= 65535 && items.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 255)) {
      this.#w.u8(TAG.STRING);
      this.#w.u16(items.length);
      return this.#w.bytes(Uint8Array.from(items as number[]));
    }
    this.#w.u8(TAG.LIST);
    this.#w.u32(items.length);
    for (let i = 0; i < items.length; i++) this.#child(`[${i}]`, items[i]);
    this.#w.u8(TAG.NIL);
  }

  #map(m: Map<unknown, unknown>): void {
    this.#w.u8(TAG.MAP);
    this.#w.u32(m.size);
    const seen = new Set<string>();
    let i = 0;
    for (const [k, v] of m) {
      const start = this.#w.length;
      this.#child(`.keys()[${i}]`, k);
      const key = bytesToHex(this.#w.since(start));
      if (seen.has(key)) this.#path.push(`.keys()[${i}]`);
      if (seen.has(key)) this.#fail("a Map with two keys that are the same Erlang term", "keep one of them (1 and 1n, or a string and its UTF-8 bytes, are the same key)");
      seen.add(key);
      this.#child(`.values()[${i}]`, v);
      i++;
    }
  }

  #record(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    this.#w.u8(TAG.MAP);
    this.#w.u32(keys.length);
    for (const key of keys) {
      this.#binary(textEncoder.encode(key));
      let item: unknown;
      try {
        item = o[key];
      } catch (err) {
        this.#path.push(keyPath("", key));
        this.#fail(`a property whose getter threw (${err instanceof Error ? err.message : String(err)})`, "send plain data");
      }
      this.#child(keyPath("", key), item);
    }
  }

  /** Fails unless every number is an unsigned integer of `bits` bits. */
  #fields(what: string, bits: number, ...values: number[]): void {
    const max = 2 ** bits - 1;
    if (values.every((v) => Number.isInteger(v) && v >= 0 && v <= max)) return;
    this.#fail(`${what} with a field that is not an integer from 0 to ${max}`, "send one received from Erlang");
  }

  #identifier(o: Pid | Ref | Port | ExportFun | OpaqueFun): void {
    const w = this.#w;
    if (o instanceof OpaqueFun) {
      const b = o.bytes;
      const size = b.length >= 5 ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(1) : -1;
      if (b[0] !== TAG.NEW_FUN || size !== b.length - 1) this.#fail("a fun whose bytes are not one NEW_FUN_EXT", "send a fun received from Erlang");
      return w.bytes(b);
    }
    if (o instanceof Pid) this.#fields("a Pid", 32, o.id, o.serial, o.creation);
    if (o instanceof Ref) this.#fields("a Ref", 32, o.creation, ...o.ids);
    if (o instanceof Port) this.#fields("a Port", 32, o.creation);
    if (o instanceof Port && (o.id < 0n || o.id > 0xffffffffffffffffn)) this.#fail("a Port whose id is not 64 bits", "send one received from Erlang");
    if (o instanceof ExportFun) this.#fields("an ExportFun", 8, o.arity);
    if (o instanceof ExportFun) {
      w.u8(TAG.EXPORT);
      this.#atom(o.module);
      this.#atom(o.name);
      w.u8(TAG.SMALL_INTEGER);
      return w.u8(o.arity);
    }
    if (o instanceof Pid) {
      w.u8(TAG.NEW_PID);
      this.#atom(o.node);
      w.u32(o.id);
      w.u32(o.serial);
      return w.u32(o.creation);
    }
    if (o instanceof Ref) {
      w.u8(TAG.NEWER_REFERENCE);
      w.u16(o.ids.length);
      this.#atom(o.node);
      w.u32(o.creation);
      for (const id of o.ids) w.u32(id);
      return;
    }
    const wide = o.id > 0xffffffffn;
    w.u8(wide ? TAG.V4_PORT : TAG.NEW_PORT);
    this.#atom(o.node);
    if (wide) w.u32(Number((o.id >> 32n) & 0xffffffffn));
    w.u32(Number(o.id & 0xffffffffn));
    w.u32(o.creation);
  }
}

/** Encodes `value`; see `encodeTerm` in `term.ts`. Throws `CodecError` with the culprit's path. */
export function encode(value: unknown, settings: EncodeSettings): Uint8Array {
  const e = new Encoder(settings);
  e.value(value);
  return e.result();
}
