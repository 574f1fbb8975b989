import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode, encodeParts } from "../../lib/codec/cbor_encode.ts";
import { PART_MIN_BYTES } from "../../lib/codec/cbor_writer.ts";
import { concatBytes } from "../../lib/core/bytes.ts";
import type { Value } from "../../lib/result.ts";
import { roundTrip, toHex } from "../support/cbor.ts";

describe("encode then decode gives back the same value", () => {
  test("strings, including empty and non-ASCII ones, come back unchanged", () => {
    for (const s of ["", "hello", "héllo wörld", "日本語", "😀 emoji", "x".repeat(70000)]) {
      expect(roundTrip(s)).toBe(s);
    }
  });

  test("integers and floats come back as the same numbers", () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65536, -1, -24, -25, -1000000, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1.5, -0.1, 3.141592653589793, 1e300, 5e-324]) {
      expect(roundTrip(n)).toBe(n);
    }
  });

  test("NaN, Infinity and -Infinity survive", () => {
    expect(roundTrip(NaN)).toBeNaN();
    expect(roundTrip(Infinity)).toBe(Infinity);
    expect(roundTrip(-Infinity)).toBe(-Infinity);
  });

  test("booleans, null and undefined survive, undefined included inside objects and arrays", () => {
    expect(roundTrip(true)).toBe(true);
    expect(roundTrip(false)).toBe(false);
    expect(roundTrip(null)).toBe(null);
    expect(roundTrip(undefined)).toBe(undefined);
    const back = roundTrip({ a: undefined, list: [undefined, null] }) as Record<string, Value>;
    expect(Object.hasOwn(back, "a")).toBe(true);
    expect(back).toStrictEqual({ a: undefined, list: [undefined, null] });
  });

  test("a small bigint stays a bigint rather than becoming a number", () => {
    const back = roundTrip(5n);
    expect(typeof back).toBe("bigint");
    expect(back).toBe(5n);
  });

  test("bigints are always sent under tag 2 or 3", () => {
    expect(toHex(encode(5n))).toBe("c24105");
    expect(toHex(encode(-1n))).toBe("c340");
    expect(toHex(encode(0n))).toBe("c240");
    expect(toHex(encode(-6n))).toBe("c34105");
  });

  test("zero, negative, 64-bit edge and huge bigints come back exactly", () => {
    const values = [0n, 1n, -1n, -5n, 255n, 256n, -256n, -257n, 2n ** 53n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), -(2n ** 64n) - 1n, 2n ** 200n + 12345n, -(3n ** 500n), 7n ** 3000n];
    for (const n of values) expect(roundTrip(n)).toBe(n);
  });

  test("a Date comes back with the same millisecond", () => {
    for (const ms of [0, 1, -1, 999, 1700000000123, -1700000000123, 1700000000000, 8.64e15, -8.64e15, 8.64e15 - 1, -4475063266360890, 4498518911588820]) {
      const back = roundTrip(new Date(ms));
      expect(back).toBeInstanceOf(Date);
      expect((back as Date).getTime()).toBe(ms);
    }
  });

  test("a Date on a whole second is sent as tag 1 with an integer", () => {
    expect(toHex(encode(new Date(1_000_000_000_000)))).toBe("c11a3b9aca00");
    expect(toHex(encode(new Date(-2000)))).toBe("c121");
  });

  test("many random Dates across the whole range keep their millisecond", () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor((random() * 2 - 1) * 8.64e15);
      expect((roundTrip(new Date(ms)) as Date).getTime()).toBe(ms);
    }
  });

  test("a Uint8Array comes back as a plain Uint8Array with the same bytes", () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(1000).fill(7)]) {
      const back = roundTrip(bytes);
      expect(back).toBeInstanceOf(Uint8Array);
      expect((back as Uint8Array).constructor).toBe(Uint8Array);
      expect(back).toStrictEqual(bytes);
    }
  });

  test("other typed arrays, ArrayBuffer and DataView are sent as their bytes", () => {
    const u16 = new Uint16Array([1, 0x0203]);
    const expected = new Uint8Array(u16.buffer.slice(0));
    expect(roundTrip(u16)).toStrictEqual(expected);
    expect(roundTrip(u16.buffer)).toStrictEqual(expected);
    expect(roundTrip(new DataView(u16.buffer, 2, 2))).toStrictEqual(expected.subarray(2));
    expect(roundTrip(new Float64Array([1.5]))).toStrictEqual(new Uint8Array(new Float64Array([1.5]).buffer));
  });

  test("arrays and plain objects nest and come back equal", () => {
    const value = { name: "x", list: [1, [2, [3, { deep: ["y"] }]]], empty: {}, none: [], flag: false };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  test("a Map stays a Map, with non-string keys and in insertion order", () => {
    const map = new Map<Value, Value>([
      [3, "three"],
      ["a", 1],
      [-1n, "bigint key"],
      [true, null],
      [null, "null key"],
    ]);
    const back = roundTrip(map) as Map<Value, Value>;
    expect(back).toBeInstanceOf(Map);
    expect([...back.entries()]).toStrictEqual([...map.entries()]);
  });

  test("a Map with compound keys and nested Maps comes back", () => {
    const map = new Map<Value, Value>([
      [[1, 2], new Map([["inner", new Date(5)]])],
      [new Uint8Array([9]), { x: 1 }],
    ]);
    const back = roundTrip(map) as Map<Value, Value>;
    expect(back).toBeInstanceOf(Map);
    const [[k1, v1], [k2, v2]] = [...back.entries()];
    expect(k1).toStrictEqual([1, 2]);
    expect(v1).toStrictEqual(new Map([["inner", new Date(5)]]));
    expect(k2).toStrictEqual(new Uint8Array([9]));
    expect(v2).toStrictEqual({ x: 1 });
  });

  test("an empty Map and a Map of string keys stay Maps, a plain object stays an object", () => {
    expect(roundTrip(new Map())).toStrictEqual(new Map());
    expect(roundTrip(new Map([["a", 1]]))).toStrictEqual(new Map([["a", 1]]));
    expect(roundTrip({ a: 1 })).toStrictEqual({ a: 1 });
  });

  test("a null-prototype object is sent as a plain object", () => {
    const obj = Object.assign(Object.create(null), { a: 1, b: [2] });
    expect(roundTrip(obj)).toStrictEqual({ a: 1, b: [2] });
  });

  test("the same object reached twice is not mistaken for a cycle", () => {
    const shared = { a: 1 };
    expect(roundTrip([shared, { again: shared }])).toStrictEqual([{ a: 1 }, { again: { a: 1 } }]);
    const map = new Map([["x", 1]]);
    expect(roundTrip([map, map])).toStrictEqual([map, map]);
  });

  test("an RPC frame with every kind of value inside comes back", () => {
    const frame = [16, 1, "rpc", "echo", [{ n: 1n, d: new Date(1), b: new Uint8Array([1]), m: new Map([[1, 2]]), u: undefined }], 5000];
    expect(roundTrip(frame)).toStrictEqual(frame);
  });

  test("encode returns a plain Uint8Array that owns its whole buffer", () => {
    for (const value of [1, "hello", [16, 1, "rpc", "echo", ["hello"], 5000], "x".repeat(5000)]) {
      const bytes = encode(value);
      expect(bytes.constructor).toBe(Uint8Array);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    }
  });
});


describe("large byte strings are not copied more than needed", () => {
  const big = new Uint8Array(PART_MIN_BYTES).map((_, i) => i & 255);

  test("encodeParts hands a large byte string out by reference, and the parts are the encoding", () => {
    const value = [21, 7, [0, big], "after"];
    const parts = encodeParts(value);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe(big);
    expect(concatBytes(parts) as Uint8Array).toEqual(encode(value));
    expect(encodeParts([1, new Uint8Array(PART_MIN_BYTES - 1)])).toHaveLength(1);
  });

  test("decode with shareBytes gives a large byte string as a view of the input; without, a copy", () => {
    const bytes = encode([1, big]);
    const shared = (decode(bytes, undefined, { shareBytes: true }) as [number, Uint8Array])[1];
    expect(shared.buffer).toBe(bytes.buffer);
    expect(shared).toEqual(big);
    const copied = (decode(bytes) as [number, Uint8Array])[1];
    expect(copied.buffer).not.toBe(bytes.buffer);
    expect(copied).toEqual(big);
  });

  test("a byte string under half of its input is copied even when sharing, so a view never holds on to much more than itself", () => {
    const bytes = encode([big, "x".repeat(PART_MIN_BYTES + 1)]);
    const [b] = decode(bytes, undefined, { shareBytes: true }) as [Uint8Array, string];
    expect(b.buffer).not.toBe(bytes.buffer);
    expect(b).toEqual(big);
  });
});

describe("numbers take their shortest exact form", () => {
  test("integers are heads, floats the smallest of half, single and double that holds them exactly", () => {
    const cases: [number, string][] = [
      [0, "00"], [-0, "00"], [23, "17"], [24, "1818"], [-1, "20"], [-25, "3818"],
      [2 ** 32, "1b0000000100000000"], [Number.MAX_SAFE_INTEGER, "1b001fffffffffffff"],
      [1.5, "f93e00"], [-2.5, "f9c100"], [0.5, "f93800"], [5.960464477539063e-8, "f90001"],
      [100000.5, "fa47c35040"], [3.4028234663852886e38, "fa7f7fffff"], [0.1, "fb3fb999999999999a"],
      [2 ** 53, "fa5a000000"], [Infinity, "f97c00"], [-Infinity, "f9fc00"], [NaN, "f97e00"],
    ];
    for (const [n, hex] of cases) expect([n, toHex(encode(n))]).toEqual([n, hex]);
  });
});

describe("key order", () => {
  test("objects and maps keep the order their keys were given in", () => {
    const value = { node: "a@h", meshrpc: "0.1.0", runtime: "bun", pid: 1, zz: { b: 1, a: 2 } };
    const back = decode(encode(value)) as typeof value;
    expect(Object.keys(back)).toEqual(["node", "meshrpc", "runtime", "pid", "zz"]);
    expect(Object.keys(back.zz)).toEqual(["b", "a"]);
    expect([...(decode(encode(new Map([[3, "c"], [1, "a"]]))) as Map<number, string>).keys()]).toEqual([3, 1]);
  });
});
