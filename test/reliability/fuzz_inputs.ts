/**
 * Fuzz inputs for the link wire format: random bytes, valid frames mutated
 * bit by bit, and frames whose structure is wrong (fields of the wrong type,
 * missing or extra fields, huge announced lengths, deep nesting). A seeded
 * generator, so a crash can be reproduced from the seed and the input's index.
 *
 * It writes its own CBOR (below) instead of using the codec under test, so
 * that it can write what the codec would refuse to: non-canonical lengths,
 * lengths far beyond the data, nesting deeper than any limit.
 *
 * @module
 */
import { concatBytes } from "../../lib/core/bytes.ts";

/** mulberry32: small, fast and good enough to spread inputs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Bytes spliced in as they are (a crafted header, a deep nesting). */
export class Raw {
  constructor(readonly bytes: Uint8Array) {}
}

// ---- a permissive CBOR writer ----

function head(major: number, n: number | bigint): number[] {
  const m = major << 5;
  const v = BigInt(n);
  if (v < 24n) return [m | Number(v)];
  if (v < 0x100n) return [m | 24, Number(v)];
  if (v < 0x10000n) return [m | 25, Number(v >> 8n), Number(v & 255n)];
  if (v < 0x100000000n) return [m | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 255n))];
  return [m | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 255n))];
}

function write(v: unknown, out: number[]): void {
  if (v instanceof Raw) {
    for (const b of v.bytes) out.push(b);
  } else if (v === null) out.push(0xf6);
  else if (v === undefined) out.push(0xf7);
  else if (v === true) out.push(0xf5);
  else if (v === false) out.push(0xf4);
  else if (typeof v === "bigint") out.push(...(v >= 0n ? head(0, v) : head(1, -1n - v)));
  else if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) {
      out.push(...(v >= 0 ? head(0, v) : head(1, -1 - v)));
    } else {
      const b = new Uint8Array(9);
      b[0] = 0xfb;
      new DataView(b.buffer).setFloat64(1, v);
      out.push(...b);
    }
  } else if (typeof v === "string") {
    const b = new TextEncoder().encode(v);
    out.push(...head(3, b.length));
    for (const x of b) out.push(x);
  } else if (v instanceof Uint8Array) {
    out.push(...head(2, v.length));
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    out.push(...head(4, v.length));
    for (const x of v) write(x, out);
  } else if (v instanceof Map) {
    out.push(...head(5, v.size));
    for (const [k, x] of v) {
      write(k, out);
      write(x, out);
    }
  } else {
    const entries = Object.entries(v as object);
    out.push(...head(5, entries.length));
    for (const [k, x] of entries) {
      write(k, out);
      write(x, out);
    }
  }
}

/** CBOR of `v`; `Raw` parts are copied as they are. */
export function cbor(v: unknown): Uint8Array {
  const out: number[] = [];
  write(v, out);
  return Uint8Array.from(out);
}

// ---- values and frames ----

const bytesOf = (r: Rand, n: number) => Uint8Array.from({ length: n }, () => int(r, 256));

/** A value of a random type, sometimes extreme. */
function anyValue(r: Rand, depth = 0): unknown {
  switch (int(r, 16)) {
    case 0:
      return int(r, 1000);
    case 1:
      return pick(r, [-1, -(2 ** 53), 2 ** 53, 2 ** 32, 65536, 1.5, NaN, Infinity, -Infinity, -0]);
    case 2:
      return pick(r, [2n ** 64n - 1n, -(2n ** 64n), 2n ** 63n]);
    case 3:
      return "s".repeat(int(r, 40));
    case 4:
      return pick(r, ["", "\u0000", "é", "\ud800", "x@y", "hoge@localhost", "a".repeat(70_000)]);
    case 5:
      return bytesOf(r, pick(r, [0, 1, 16, 32, 33]));
    case 6:
      return pick(r, [true, false, null, undefined]);
    case 7:
      return depth > 3 ? [] : Array.from({ length: int(r, 4) }, () => anyValue(r, depth + 1));
    case 8:
      return depth > 3 ? {} : { k: anyValue(r, depth + 1), [String(int(r, 9))]: anyValue(r, depth + 1) };
    case 9:
      return new Map<unknown, unknown>([[int(r, 5), "intkey"], [bytesOf(r, 2), "byteskey"]]);
    case 10:
      return deep(r);
    case 11:
      return hugeHeader(r);
    case 12:
      // Tags: 0/1 dates, 2/3 bignums, 55799 self-describe, an unassigned one.
      return new Raw(concat(Uint8Array.from(head(6, pick(r, [0, 1, 2, 3, 24, 55799, 999999]))), cbor(anyValue(r, depth + 1))));
    case 13:
      // Simple values, half and single floats, a lone break, reserved additional info.
      return new Raw(pick(r, [[0xe0], [0xf8, 0xff], [0xf9, 0x7c, 0x00], [0xfa, 0x7f, 0xc0, 0, 0], [0xff], [0x1c], [0x5f, 0x41, 0x61, 0xff], [0x9f, 0x01]].map((a) => Uint8Array.from(a))));
    case 14:
      return new Array(int(r, 3)).fill(0).map(() => [int(r, 30), "x"]);
    default:
      return int(r, 2) ? "echo" : 16;
  }
}

/** Nesting far beyond the codec's depth limit, as arrays, maps or tags. */
function deep(r: Rand): Raw {
  const depth = pick(r, [50, 99, 100, 101, 150, 1000, 20_000]);
  const opener = pick(r, [[0x81], [0xa1, 0x00], [0xc6], [0x9f]]);
  const out: number[] = [];
  for (let i = 0; i < depth; i++) out.push(...opener);
  out.push(0x00);
  return new Raw(Uint8Array.from(out));
}

/** A length header announcing far more than follows. */
function hugeHeader(r: Rand): Raw {
  const major = pick(r, [2, 3, 4, 5]);
  const n = pick(r, [2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 64n - 1n, 9n * 1024n * 1024n, 65_536n]);
  return new Raw(Uint8Array.of(...head(major, n), 0x01, 0x02));
}

const NODE = "hoge@localhost";
const result = (r: Rand): unknown[] =>
  pick(r, [
    [0, anyValue(r)],
    [1, "Error", "boom", null],
    [1, "Error", "boom", "stack", anyValue(r)],
    [2, "m", "f"],
    [3, NODE],
    [3, NODE, "why"],
    [4, NODE, 100],
    [5, "bad"],
    [6],
    [7],
  ]);

/** A valid link frame (as the array the codec would write), ids mostly small so that they hit pending calls. */
function linkFrame(r: Rand): unknown[] {
  const id = pick(r, [1, 1, 2, 0, 2 ** 53 - 1]);
  switch (int(r, 8)) {
    case 0:
      return [16, id, "rpc", "echo", [anyValue(r)], pick(r, [5000, null, 0])];
    case 1:
      return [17, id, result(r)];
    case 2:
      return [18, "rpc", "echo", [anyValue(r)]];
    case 3:
      return [19, id];
    case 4:
      return [20];
    case 5:
      return [21, [[NODE, 4711], ["fuga@localhost", 4712]]];
    case 6:
      return [22, "bye"];
    default:
      return [23, ...Array.from({ length: 1 + int(r, 3) }, () => linkFrame(r).slice())];
  }
}

/** A valid handshake frame; `to` is the name the acceptor has. */
function handshakeFrame(r: Rand, to: string): unknown[] {
  switch (int(r, 5)) {
    case 0:
    case 1:
      return [1, 1, pick(r, [NODE, "fuga@localhost", to, "bad name"]), to, 4711, false, "c1"];
    case 2:
      return [2, to, "c2", bytesOf(r, 16)];
    case 3:
      return [3, bytesOf(r, 16), bytesOf(r, 32)];
    default:
      return [pick(r, [4, 5]), bytesOf(r, 32), false, 4712];
  }
}

/** Replaces, removes or adds fields; wraps in batches. */
function mutateStructure(r: Rand, frame: unknown[]): unknown[] {
  const f = frame.slice();
  switch (int(r, 5)) {
    case 0:
    case 1:
      f[int(r, f.length)] = anyValue(r);
      break;
    case 2:
      f.splice(1 + int(r, Math.max(1, f.length - 1)), 1);
      break;
    case 3:
      f.push(anyValue(r));
      break;
    default:
      return [23, f, ...(int(r, 2) ? [[23, [20]]] : [])];
  }
  return f;
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** Bit flips, truncations, insertions, deletions and duplicated ranges. */
function mutateBytes(r: Rand, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + int(r, 3);
  for (let i = 0; i < rounds && b.length > 0; i++) {
    const at = int(r, b.length);
    switch (int(r, 5)) {
      case 0:
        for (let k = 0; k < 1 + int(r, 8); k++) b[int(r, b.length)] ^= 1 << int(r, 8);
        break;
      case 1:
        b = b.slice(0, at);
        break;
      case 2:
        b = concat(b.slice(0, at), bytesOf(r, 1 + int(r, 8)), b.slice(at));
        break;
      case 3:
        b = concat(b.slice(0, at), b.slice(at + 1 + int(r, 8)));
        break;
      default:
        b = concat(b.slice(0, at), b.slice(at, at + 1 + int(r, 16)), b.slice(at));
    }
  }
  return b;
}

/** Random bytes: mostly short, sometimes a few KiB, sometimes led by a plausible CBOR array head. */
function randomBytes(r: Rand): Uint8Array {
  const n = int(r, 10) === 0 ? int(r, 4096) : int(r, 64);
  const b = bytesOf(r, n);
  if (n > 0 && int(r, 2)) b[0] = 0x80 | int(r, 8);
  return b;
}

export type Shape = "link" | "handshake";

/** One input: random bytes, a mutated valid frame (bytes or structure), or a valid frame. */
export function fuzzInput(r: Rand, shape: Shape, to: string): Uint8Array {
  const valid = () => (shape === "link" ? linkFrame(r) : handshakeFrame(r, to));
  switch (int(r, 10)) {
    case 0:
    case 1:
      return randomBytes(r);
    case 2:
    case 3:
    case 4:
      return mutateBytes(r, cbor(valid()));
    case 5:
    case 6:
    case 7:
      return cbor(mutateStructure(r, valid()));
    case 8:
      return cbor(valid());
    default:
      return int(r, 2) ? cbor([pick(r, [16, 17, 18, 1, 3, 23]), hugeHeader(r)]) : cbor([pick(r, [16, 18, 23]), 1, deep(r)]);
  }
}

/** A well-formed hello to `to` from `name`, to reach the steps after it. */
export function validHello(to: string, name = NODE): Uint8Array {
  return cbor([1, 1, name, to, 4711, false, "c1"]);
}

/** Hex of the first `n` bytes, to reproduce a crash. */
export function hexHead(b: Uint8Array, n = 48): string {
  return Array.from(b.slice(0, n), (x) => x.toString(16).padStart(2, "0")).join("") + (b.length > n ? `…(${b.length} bytes)` : "");
}
