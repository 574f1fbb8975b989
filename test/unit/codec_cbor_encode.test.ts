import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError, MAX_BIGINT_BYTES } from "../../lib/codec/errors.ts";
import type { Value } from "../../lib/result.ts";
import { roundTrip, thrown } from "../support/cbor.ts";

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
