import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError } from "../../lib/codec/errors.ts";
import { decodeJson, fromJson } from "../../lib/codec/json_decode.ts";
import { encodeJson, toJson } from "../../lib/codec/json_encode.ts";
import { TooLargeError } from "../../lib/codec/limits.ts";
import type { Value } from "../../lib/result.ts";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, got none");
}

function roundTrip(value: unknown): Value {
  return decodeJson(encodeJson(value));
}

describe("toJson maps what JSON cannot carry onto marker objects", () => {
  test("JSON's own values pass through unchanged", () => {
    const value = { s: "text", n: 1.5, i: -3, t: true, f: false, z: null, list: [1, "two", [3]], obj: { a: {} } };
    expect(toJson(value)).toStrictEqual(value);
  });

  test("each marker has the documented shape", () => {
    expect(toJson(123n)).toStrictEqual({ $bigint: "123" });
    expect(toJson(-5n)).toStrictEqual({ $bigint: "-5" });
    expect(toJson(new Uint8Array([1, 2, 3]))).toStrictEqual({ $bytes: "AQID" });
    expect(toJson(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toStrictEqual({ $date: "2024-01-02T03:04:05.678Z" });
    expect(toJson(undefined)).toStrictEqual({ $undefined: true });
    expect(toJson(new Map<Value, Value>([[1, "one"], ["k", 2n]]))).toStrictEqual({ $map: [[1, "one"], ["k", { $bigint: "2" }]] });
    expect(toJson(NaN)).toStrictEqual({ $float: "NaN" });
    expect(toJson(Infinity)).toStrictEqual({ $float: "Infinity" });
    expect(toJson(-Infinity)).toStrictEqual({ $float: "-Infinity" });
  });

  test("markers nest inside arrays, objects and Map entries", () => {
    expect(toJson({ a: [undefined, { b: 1n }] })).toStrictEqual({ a: [{ $undefined: true }, { b: { $bigint: "1" } }] });
  });

  test("encodeJson gives text that JSON.parse reads", () => {
    expect(encodeJson({ n: 1n, b: new Uint8Array([255]) })).toBe('{"n":{"$bigint":"1"},"b":{"$bytes":"/w=="}}');
  });
});

describe("encodeJson then decodeJson gives back the same value", () => {
  test("every kind of value survives, nested", () => {
    const value = {
      text: "héllo",
      n: 1.25,
      big: 2n ** 100n,
      small: 5n,
      negative: -(3n ** 80n),
      bytes: new Uint8Array([0, 1, 254, 255]),
      empty: new Uint8Array(0),
      when: new Date(1700000000123),
      nothing: undefined,
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      map: new Map<Value, Value>([[1, "one"], [2n, new Map([["deep", [new Date(0)]]])], [[1, 2], null]]),
      list: [1, [2, [3, undefined]]],
    };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  test("a small bigint stays a bigint", () => {
    expect(typeof roundTrip(5n)).toBe("bigint");
    expect(roundTrip(5n)).toBe(5n);
  });

  test("a Date comes back with the same millisecond", () => {
    for (const ms of [0, -1, 1700000000123, 8.64e15, -8.64e15]) {
      expect((roundTrip(new Date(ms)) as Date).getTime()).toBe(ms);
    }
  });

  test("a value survives CBOR and JSON alike", () => {
    const value = [16, 1, "rpc", "echo", [{ a: 1n, m: new Map([[1, new Uint8Array([1])]]) }], 5000];
    expect(roundTrip(value)).toStrictEqual(decode(encode(value)));
  });

  test("objects with toJSON are sent as what it returns", () => {
    class Point {
      toJSON() {
        return { x: 1, big: 2n };
      }
    }
    expect(roundTrip([new Point()])).toStrictEqual([{ x: 1, big: 2n }]);
  });

  test("a __proto__ key stays an own property and never becomes the prototype", () => {
    const back = decodeJson('{"__proto__":{"polluted":true},"a":1}') as Record<string, Value>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toStrictEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(encodeJson(back)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});

describe("only an object with exactly one marker key is special", () => {
  test("an unknown key starting with $ stays a plain object", () => {
    expect(decodeJson('{"$ref":"#/a"}')).toStrictEqual({ $ref: "#/a" });
    expect(roundTrip({ $type: "x" })).toStrictEqual({ $type: "x" });
  });

  test("a marker key next to another key is a plain object", () => {
    expect(decodeJson('{"$bigint":"1","other":2}')).toStrictEqual({ $bigint: "1", other: 2 });
    expect(decodeJson('{"$undefined":true,"x":null}')).toStrictEqual({ $undefined: true, x: null });
  });

  test("a marker name as a value or in an array is just a string", () => {
    expect(decodeJson('["$bigint", {"k":"$date"}]')).toStrictEqual(["$bigint", { k: "$date" }]);
  });
});

describe("malformed markers are refused with their path", () => {
  const cases: Array<[text: string, marker: string, path: string]> = [
    ['{"$bigint":"x"}', "$bigint", "value"],
    ['{"$bigint":"1.5"}', "$bigint", "value"],
    ['{"$bigint":12}', "$bigint", "value"],
    ['{"$bytes":"@@@"}', "$bytes", "value"],
    ['{"$bytes":[1,2]}', "$bytes", "value"],
    ['{"$date":"yesterday"}', "$date", "value"],
    ['{"$date":"2024-13-45T99:99:99Z"}', "$date", "value"],
    ['{"$date":1700000000000}', "$date", "value"],
    ['{"$undefined":false}', "$undefined", "value"],
    ['{"$map":{"a":1}}', "$map", "value"],
    ['{"$map":[[1]]}', "$map", "value.$map[0]"],
    ['{"$map":[[1,2],3]}', "$map", "value.$map[1]"],
    ['{"$float":"nan"}', "$float", "value"],
    ['{"$float":1}', "$float", "value"],
  ];
  for (const [text, marker, path] of cases) {
    test(`${text} is refused as a malformed ${marker} marker at ${path}`, () => {
      const err = thrown(() => decodeJson(text));
      expect(err).toBeInstanceOf(CodecError);
      expect(err.message).toContain(`Malformed {"${marker}": ...} marker (at ${path}): `);
    });
  }

  test("the path leads to a malformed marker deep inside the value", () => {
    const err = thrown(() => decodeJson('{"args":[1,{"m":{"$map":[[{"$bigint":"1e3"},2]]}}]}')) as CodecError;
    expect(err.message).toContain("(at value.args[1].m.$map[0][0])");
    expect(err.path).toBe("value.args[1].m.$map[0][0]");
  });

  test("a $map with a repeated key is refused", () => {
    const err = thrown(() => decodeJson('{"$map":[[1,"a"],[1,"b"]]}'));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("appears twice");
  });

  test("a $bigint with too many digits is refused before it is parsed", () => {
    const err = thrown(() => decodeJson(`{"$bigint":"${"9".repeat(200_000)}"}`));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("at most");
  });
});

describe("decodeJson limits size and depth", () => {
  test("text over maxBytes is a TooLargeError, whether a string or bytes", () => {
    const text = JSON.stringify("x".repeat(100));
    const limits = { maxBytes: text.length - 1, maxDepth: 10 };
    expect(thrown(() => decodeJson(text, limits))).toBeInstanceOf(TooLargeError);
    expect(thrown(() => decodeJson(new TextEncoder().encode(text), limits))).toBeInstanceOf(TooLargeError);
    expect(decodeJson(text, { maxBytes: text.length, maxDepth: 10 })).toBe("x".repeat(100));
  });

  test("the size of a string is counted in UTF-8 bytes", () => {
    // 12 UTF-16 units but 32 bytes: each 日 is three bytes of UTF-8
    const text = JSON.stringify("日".repeat(10));
    const bytes = new TextEncoder().encode(text).length;
    expect(thrown(() => decodeJson(text, { maxBytes: bytes - 1, maxDepth: 10 }))).toBeInstanceOf(TooLargeError);
    expect(decodeJson(text, { maxBytes: bytes, maxDepth: 10 })).toBe("日".repeat(10));
  });

  test("a megabyte of opening brackets fails with a CodecError, without recursion", () => {
    for (const text of ["[".repeat(1 << 20), '{"a":'.repeat(1 << 18)]) {
      const err = thrown(() => decodeJson(text));
      expect(err).toBeInstanceOf(CodecError);
      expect(err.message).toContain("deeper than the limit of 100");
    }
  });

  test("exactly maxDepth levels are accepted and one more is refused", () => {
    const at = `${"[".repeat(100)}1${"]".repeat(100)}`;
    let expected: Value = 1;
    for (let i = 0; i < 100; i++) expected = [expected];
    expect(decodeJson(at)).toStrictEqual(expected);
    expect(thrown(() => decodeJson(`[${at}]`))).toBeInstanceOf(CodecError);
    expect(decodeJson('{"a":{"b":[]}}', { maxBytes: 100, maxDepth: 3 })).toStrictEqual({ a: { b: [] } });
    expect(thrown(() => decodeJson('{"a":{"b":[[]]}}', { maxBytes: 100, maxDepth: 3 }))).toBeInstanceOf(CodecError);
  });

  test("brackets inside strings are not counted as nesting", () => {
    const text = JSON.stringify(["[".repeat(500), '\\"[[[', "{{{{"]);
    expect(decodeJson(text, { maxBytes: 10_000, maxDepth: 1 })).toStrictEqual(["[".repeat(500), '\\"[[[', "{{{{"]);
  });

  test("a $map counts its list and pairs as levels, as the text does", () => {
    const text = '{"$map":[[1,2]]}';
    expect(decodeJson(text, { maxBytes: 100, maxDepth: 3 })).toStrictEqual(new Map([[1, 2]]));
    expect(thrown(() => decodeJson(text, { maxBytes: 100, maxDepth: 2 }))).toBeInstanceOf(CodecError);
    expect(thrown(() => fromJson({ $map: [[1, 2]] }, { maxBytes: 100, maxDepth: 2 }))).toBeInstanceOf(CodecError);
  });

  test("fromJson refuses a tree built deeper than the limit without overflowing the stack", () => {
    let tree: unknown = 1;
    for (let i = 0; i < 100_000; i++) tree = [tree];
    const err = thrown(() => fromJson(tree));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("deeper than the limit");
  });
});

describe("decodeJson refuses what is not JSON", () => {
  test("invalid JSON is a CodecError that says why", () => {
    for (const text of ["", "[1,", "{a:1}", "undefined", "[1] [2]", "'x'"]) {
      const err = thrown(() => decodeJson(text));
      expect(err).toBeInstanceOf(CodecError);
      expect(err.message).toStartWith("Invalid JSON (");
    }
  });

  test("bytes that are not UTF-8 are refused", () => {
    const err = thrown(() => decodeJson(new Uint8Array([0x22, 0xff, 0xfe, 0x22])));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("not UTF-8");
  });

  test("UTF-8 bytes are read like the text they hold", () => {
    expect(decodeJson(new TextEncoder().encode('{"a":"日本"}'))).toStrictEqual({ a: "日本" });
  });

  test("fromJson refuses values that JSON.parse cannot produce", () => {
    expect(thrown(() => fromJson({ f: () => 1 })).message).toContain("(at value.f)");
    expect(thrown(() => fromJson([new Date()])).message).toContain("(at value[0])");
    expect(thrown(() => fromJson(NaN))).toBeInstanceOf(CodecError);
  });

  test("a non-string, non-bytes argument is a TypeError", () => {
    expect(thrown(() => decodeJson(42 as unknown as string))).toBeInstanceOf(TypeError);
  });
});

describe("encodeJson refuses what cannot cross the wire, saying where", () => {
  test("a function is refused with its path under the given root", () => {
    const err = thrown(() => encodeJson([1, { cb() {} }], { root: "args" })) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("(at args[1].cb)");
    expect(err.path).toBe("args[1].cb");
  });

  test("a cycle is found and named, not a stack overflow", () => {
    const a: Record<string, unknown> = {};
    a.self = [a];
    const err = thrown(() => encodeJson(a));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("contains itself (at value.self[0])");
  });

  test("a symbol, a Set and a class instance are refused", () => {
    class Thing {}
    expect(thrown(() => encodeJson({ s: Symbol("x") })).message).toContain("a symbol (at value.s)");
    expect(thrown(() => encodeJson({ s: new Set() })).message).toContain("a Set (at value.s)");
    expect(thrown(() => encodeJson([new Thing()])).message).toContain("an instance of Thing (at value[0])");
  });

  test("an invalid Date is refused rather than sent as null", () => {
    expect(thrown(() => encodeJson({ d: new Date(NaN) })).message).toContain("an invalid Date (at value.d)");
    expect(thrown(() => toJson({ d: new Date(NaN) }))).toBeInstanceOf(CodecError);
  });

  test("a toJSON that throws becomes a CodecError with the cause", () => {
    const boom = new Error("boom");
    class Faulty {
      toJSON(): never {
        throw boom;
      }
    }
    const err = thrown(() => encodeJson({ x: new Faulty() }));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.cause).toBe(boom);
  });
});
