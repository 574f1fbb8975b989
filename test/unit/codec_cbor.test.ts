import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError, MAX_BIGINT_BYTES } from "../../lib/codec/errors.ts";
import { DEFAULT_LIMITS, TooLargeError } from "../../lib/codec/limits.ts";
import type { Value } from "../../lib/result.ts";

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function roundTrip(value: unknown): Value {
  return decode(encode(value));
}

/** The error `fn` throws, failing the test when it throws nothing. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, got none");
}

function nested(depth: number, open: string, close: string, inner = ""): Uint8Array {
  return hex(open.repeat(depth) + inner + close.repeat(depth));
}

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

describe("objects with toJSON are sent as what it returns", () => {
  test("a class instance with toJSON() is sent as its result", () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
      toJSON() {
        return { x: this.x, y: this.y };
      }
    }
    expect(roundTrip([new Point(1, 2)])).toStrictEqual([{ x: 1, y: 2 }]);
  });

  test("a URL is sent as its string", () => {
    expect(roundTrip({ u: new URL("http://example.com/a?b=1") })).toStrictEqual({ u: "http://example.com/a?b=1" });
  });

  test("a toJSON() that itself calls encode does not corrupt the outer value", () => {
    class Packed {
      toJSON() {
        return { packed: encode(["inner", 1]) };
      }
    }
    const back = roundTrip({ before: "a".repeat(300), p: new Packed(), after: [1, 2, 3] }) as Record<string, Value>;
    expect(back.before).toBe("a".repeat(300));
    expect(back.after).toStrictEqual([1, 2, 3]);
    expect(decode((back.p as Record<string, Uint8Array>).packed)).toStrictEqual(["inner", 1]);
  });

  test("a toJSON() that returns its own object is a cycle, not a stack overflow", () => {
    class Selfish {
      toJSON() {
        return this;
      }
    }
    const err = thrown(() => encode({ s: new Selfish() }));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("value.s");
  });
});

describe("encode refuses what cannot cross the wire, saying where", () => {
  test("a function is refused with its path under the given root", () => {
    const err = thrown(() => encode([1, { cb() {} }], { root: "args" })) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.name).toBe("CodecError");
    expect(err.message).toContain("function");
    expect(err.message).toContain("(at args[1].cb)");
    expect(err.message).toContain("only strings, numbers, bigints");
    expect(err.path).toBe("args[1].cb");
  });

  test("the path of a refused value defaults to the root name value", () => {
    expect(thrown(() => encode({ a: { "b c": [Symbol("s")] } })).message).toContain('(at value.a["b c"][0])');
  });

  test("a symbol is refused", () => {
    const err = thrown(() => encode(Symbol("x")));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("a symbol (at value)");
  });

  test("a cycle through objects is found and named, not a stack overflow", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.child = { parent: a };
    const err = thrown(() => encode(a));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("contains itself (at value.child.parent)");
  });

  test("a cycle through an array or a Map is found", () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(thrown(() => encode(list)).message).toContain("contains itself (at value[1])");
    const map = new Map<string, unknown>();
    map.set("me", map);
    const err = thrown(() => encode({ m: map }));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain('contains itself (at value.m.get("me"))');
  });

  test("a Set, a WeakMap and a Promise are refused with advice", () => {
    expect(thrown(() => encode({ s: new Set([1]) })).message).toContain("a Set (at value.s)");
    expect(thrown(() => encode([new WeakMap()])).message).toContain("a WeakMap (at value[0])");
    const promise = Promise.resolve(1);
    expect(thrown(() => encode({ p: promise })).message).toContain("a Promise (at value.p): await it first");
  });

  test("a class instance without toJSON is refused with its class name", () => {
    class Account {
      balance = 1;
    }
    const err = thrown(() => encode({ acct: new Account() }));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("an instance of Account (at value.acct)");
  });

  test("an Error, a RegExp and a boxed primitive are refused", () => {
    expect(thrown(() => encode([new TypeError("x")])).message).toContain("an error (TypeError) (at value[0])");
    expect(thrown(() => encode([/x/])).message).toContain("a RegExp (at value[0])");
    expect(thrown(() => encode([Object(1)])).message).toContain("an instance of Number (at value[0])");
  });

  test("an object that claims to be a Date or a Map by its toStringTag is refused", () => {
    const fakeDate = { [Symbol.toStringTag]: "Date" };
    Object.setPrototypeOf(fakeDate, class Fake {}.prototype);
    expect(thrown(() => encode([fakeDate]))).toBeInstanceOf(CodecError);
  });

  test("an invalid Date is refused", () => {
    expect(thrown(() => encode({ when: new Date(NaN) })).message).toContain("an invalid Date (at value.when)");
  });

  test("a refused value inside a Map names the entry", () => {
    const map = new Map<Value, unknown>([[1, () => 1]]);
    expect(thrown(() => encode(map)).message).toContain("(at value.get(1))");
    const keyed = new Map<unknown, Value>([[Symbol("k"), 1]]);
    expect(thrown(() => encode(keyed)).message).toContain("(at value.keys()[0])");
  });

  test("a getter or a toJSON that throws becomes a CodecError with the thrown error as cause", () => {
    const boom = new Error("boom");
    const getter = {
      get bad() {
        throw boom;
      },
    };
    const err = thrown(() => encode({ g: getter }));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("boom");
    expect(err.message).toContain("(at value.g.bad)");
    expect(err.cause).toBe(boom);
    class Faulty {
      toJSON(): never {
        throw boom;
      }
    }
    const err2 = thrown(() => encode([new Faulty()]));
    expect(err2).toBeInstanceOf(CodecError);
    expect(err2.cause).toBe(boom);
  });

  test("a bigint over the size limit is refused", () => {
    const huge = 1n << BigInt(MAX_BIGINT_BYTES * 8);
    expect(thrown(() => encode({ n: huge })).message).toContain("(at value.n)");
    expect(roundTrip(huge - 1n)).toBe(huge - 1n);
  });

  test("a value nested far too deep is a CodecError, not a stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const err = thrown(() => encode(deep));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("nested");
  });
});

describe("decode limits size and depth", () => {
  test("a body over maxBytes is a TooLargeError, which is also a CodecError", () => {
    const bytes = encode("x".repeat(100));
    const err = thrown(() => decode(bytes, { maxBytes: bytes.length - 1, maxDepth: 10 }));
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err).toBeInstanceOf(CodecError);
    expect(err.name).toBe("TooLargeError");
    expect(decode(bytes, { maxBytes: bytes.length, maxDepth: 10 })).toBe("x".repeat(100));
  });

  test("the default limits are 8 MiB and 100 levels", () => {
    expect(DEFAULT_LIMITS).toStrictEqual({ maxBytes: 8 * 1024 * 1024, maxDepth: 100 });
  });

  test("a megabyte of nested array openings fails fast with a CodecError", () => {
    const bytes = new Uint8Array(1 << 20).fill(0x81);
    const started = performance.now();
    const err = thrown(() => decode(bytes));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("deeper than the limit of 100");
    expect(performance.now() - started).toBeLessThan(50);
  });

  test("nested indefinite-length arrays and maps are counted too", () => {
    expect(thrown(() => decode(new Uint8Array(1 << 20).fill(0x9f))).message).toContain("deeper than the limit");
    // {"a": {"a": ...}} as maps of one entry
    const maps = hex("a16161".repeat(101) + "01");
    expect(thrown(() => decode(maps)).message).toContain("deeper than the limit");
    // maps as keys of maps
    expect(thrown(() => decode(new Uint8Array(1 << 16).fill(0xa1))).message).toContain("deeper than the limit");
  });

  test("exactly maxDepth levels are accepted and one more is refused", () => {
    const atLimit = nested(100, "81", "", "01");
    let expected: Value = 1;
    for (let i = 0; i < 100; i++) expected = [expected];
    expect(decode(atLimit)).toStrictEqual(expected);
    expect(thrown(() => decode(nested(101, "81", "", "01")))).toBeInstanceOf(CodecError);
    expect(decode(nested(3, "81", "", "80"), { maxBytes: 100, maxDepth: 4 })).toStrictEqual([[[[]]]]);
    expect(thrown(() => decode(nested(4, "81", "", "80"), { maxBytes: 100, maxDepth: 4 }))).toBeInstanceOf(CodecError);
  });

  test("a tagged Map counts as one level and tags around leaves add none", () => {
    const limits = { maxBytes: 1000, maxDepth: 2 };
    expect(decode(encode([new Map([[1, 2]])]), limits)).toStrictEqual([new Map([[1, 2]])]);
    expect(thrown(() => decode(encode([[new Map([[1, 2]])]]), limits))).toBeInstanceOf(CodecError);
    expect(decode(encode([[new Date(1), 5n]]), limits)).toStrictEqual([[new Date(1), 5n]]);
  });

  test("a scalar is depth 0: maxDepth 0 takes scalars only", () => {
    const limits = { maxBytes: 100, maxDepth: 0 };
    expect(decode(encode("x"), limits)).toBe("x");
    expect(thrown(() => decode(encode([]), limits))).toBeInstanceOf(CodecError);
  });
});

describe("decode refuses malformed input with a CodecError", () => {
  test("an empty body is refused", () => {
    expect(thrown(() => decode(new Uint8Array(0)))).toBeInstanceOf(CodecError);
  });

  test("every truncation of a valid encoding is refused", () => {
    const bytes = encode({ a: [1, "two", 3n, new Date(5), new Map([[1, new Uint8Array([1, 2])]])], b: "hello world" });
    for (let end = 1; end < bytes.length; end++) {
      const err = thrown(() => decode(bytes.subarray(0, end)));
      expect(err).toBeInstanceOf(CodecError);
    }
  });

  test("a truncated body names the problem", () => {
    expect(thrown(() => decode(hex("83 01 02"))).message).toContain("Truncated");
  });

  test("a length longer than the remaining input fails at once", () => {
    expect(thrown(() => decode(hex("9a ffffffff 01"))).message).toContain("Truncated");
    expect(thrown(() => decode(hex("ba ffffffff 01"))).message).toContain("Truncated");
    expect(thrown(() => decode(hex("5a ffffffff 01")))).toBeInstanceOf(CodecError);
    expect(thrown(() => decode(hex("9b ffffffffffffffff 01")))).toBeInstanceOf(CodecError);
  });

  test("trailing bytes after the value are refused", () => {
    const err = thrown(() => decode(hex("01 02")));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("1 bytes follow the value");
  });

  test("reserved and unassigned bytes are refused", () => {
    for (const bad of ["1c", "ff", "f8", "fc", "5f", "7f41"]) {
      expect(thrown(() => decode(hex(bad)))).toBeInstanceOf(CodecError);
    }
  });

  test("random garbage only ever produces CodecError or a value", () => {
    let seed = 42;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(1 + Math.floor(random() * 32)).map(() => Math.floor(random() * 256));
      try {
        decode(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
      }
    }
  });

  test("a map with a duplicate key is refused", () => {
    // {"a": 1, "a": 2}
    const err = thrown(() => decode(hex("a2 6161 01 6161 02")));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain('the key "a" appears twice');
    // 259({1: 1, 1: 2})
    expect(thrown(() => decode(hex("d90103 a2 01 01 01 02"))).message).toContain("the key 1 appears twice");
    // {1: 1, 1: 2} untagged
    expect(thrown(() => decode(hex("a2 01 01 01 02")))).toBeInstanceOf(CodecError);
  });

  test("an unknown tag is refused with its number", () => {
    expect(thrown(() => decode(hex("d82a 01"))).message).toContain("tag 42");
  });

  test("a tag around the wrong kind of content is refused", () => {
    expect(thrown(() => decode(hex("c1 6161"))).message).toContain("tag 1 must wrap");
    expect(thrown(() => decode(hex("c2 01"))).message).toContain("tag 2 must wrap");
    expect(thrown(() => decode(hex("c1 c1 01")))).toBeInstanceOf(CodecError);
    expect(thrown(() => decode(hex("d90103 80"))).message).toContain("tag 259 must wrap a map");
    expect(thrown(() => decode(hex("c0 6161"))).message).toContain("not a date");
  });

  test("a bigint over the size limit is refused on decode", () => {
    const length = MAX_BIGINT_BYTES + 1;
    const body = new Uint8Array(6 + length);
    body.set(hex("c2 5a"), 0);
    new DataView(body.buffer).setUint32(2, length);
    expect(thrown(() => decode(body)).message).toContain("over the limit");
  });

  test("a break code outside an indefinite-length item is refused", () => {
    expect(thrown(() => decode(hex("ff")))).toBeInstanceOf(CodecError);
    expect(thrown(() => decode(hex("82 01 ff")))).toBeInstanceOf(CodecError);
    expect(thrown(() => decode(hex("bf 6161 ff")))).toBeInstanceOf(CodecError);
  });

  test("a non-Uint8Array argument is a TypeError, a misuse rather than bad input", () => {
    expect(thrown(() => decode("a1" as unknown as Uint8Array))).toBeInstanceOf(TypeError);
  });
});

describe("decode reads what other CBOR encoders send", () => {
  test("a map with only string keys becomes a plain object", () => {
    const back = decode(hex("a2 6161 01 6162 02"));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toStrictEqual({ a: 1, b: 2 });
  });

  test("a __proto__ key becomes an own property and never the prototype", () => {
    // {"__proto__": {"polluted": true}}
    const back = decode(hex("a1 695f5f70726f746f5f5f a1 68706f6c6c75746564 f5")) as Record<string, Value>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toStrictEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toStrictEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const again = decode(encode(back)) as Record<string, Value>;
    expect(Object.getOwnPropertyDescriptor(again, "__proto__")?.value).toStrictEqual({ polluted: true });
  });

  test("an untagged map with non-string keys becomes a Map", () => {
    // {1: "a", "b": 2}
    const back = decode(hex("a2 01 6161 6162 02"));
    expect(back).toStrictEqual(new Map<Value, Value>([[1, "a"], ["b", 2]]));
    // {"b": 2, 1: "a"}: the first key is a string, the second is not
    expect(decode(hex("a2 6162 02 01 6161"))).toStrictEqual(new Map<Value, Value>([["b", 2], [1, "a"]]));
  });

  test("indefinite-length arrays and maps are read", () => {
    expect(decode(hex("9f 01 9f 02 ff ff"))).toStrictEqual([1, [2]]);
    expect(decode(hex("bf 6161 01 ff"))).toStrictEqual({ a: 1 });
    expect(decode(hex("d90103 bf 01 02 ff"))).toStrictEqual(new Map([[1, 2]]));
  });

  test("a tag 0 date string and a tag 1 float are read as Dates", () => {
    expect(decode(hex("c0 74 323031332d30332d32315432303a30343a30305a"))).toStrictEqual(new Date("2013-03-21T20:04:00Z"));
    expect(decode(hex("c1 fb 41d452d9ec200000"))).toStrictEqual(new Date(1363896240500));
  });

  test("64-bit integers beyond 2^53 arrive as bigints", () => {
    expect(decode(hex("1b ffffffffffffffff"))).toBe(2n ** 64n - 1n);
    expect(decode(hex("3b ffffffffffffffff"))).toBe(-(2n ** 64n));
  });

  test("decoded byte strings are copies, not views into the input", () => {
    const body = encode({ b: new Uint8Array([1, 2, 3]) });
    const back = decode(body) as Record<string, Uint8Array>;
    body.fill(0);
    expect(back.b).toStrictEqual(new Uint8Array([1, 2, 3]));
  });
});

describe("the codec is fast enough for the hot path", () => {
  test("an RPC frame encodes and decodes in a few microseconds", () => {
    const frame = [16, 1, "rpc", "echo", ["hello"], 5000];
    for (let i = 0; i < 20_000; i++) decode(encode(frame));
    const rounds = 100_000;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) decode(encode(frame));
    const micros = ((performance.now() - started) * 1000) / rounds;
    // Measured ~0.8 µs here; the bound only catches a gross regression
    expect(micros).toBeLessThan(20);
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
