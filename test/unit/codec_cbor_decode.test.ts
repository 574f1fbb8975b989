import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError, MAX_BIGINT_BYTES } from "../../lib/codec/errors.ts";
import { DEFAULT_LIMITS, TooLargeError } from "../../lib/codec/limits.ts";
import type { Value } from "../../lib/result.ts";
import { hex, nested, thrown } from "../support/cbor.ts";

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
    const err = thrown(() => decode(bytes));
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("deeper than the limit of 100");
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
