import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { TooLargeError } from "../../lib/codec/limits.ts";
import {
  Atom,
  CodecError,
  decodeTerm,
  decodeTermAt,
  encodeTerm,
  ImproperList,
  OpaqueFun,
  Pid,
  Tuple,
} from "../../lib/erlang/term.ts";
import { fromHex, show, TERM_CASES, toHex } from "../support/erlang_term_cases.ts";

const VECTORS: Record<string, string> = JSON.parse(
  readFileSync(new URL("../fixtures/erlang/term_vectors.json", import.meta.url).pathname, "utf8"),
);

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw err;
  }
  throw new Error("expected a CodecError");
}

describe("golden vectors from term_to_binary", () => {
  test("every case has a vector", () => {
    expect(Object.keys(VECTORS).sort()).toEqual(TERM_CASES.map((c) => c.name).sort());
  });
  for (const c of TERM_CASES) {
    test(`${c.name}: ${c.erl} decodes to ${show(c.js).slice(0, 60)}`, () => {
      expect(show(decodeTerm(fromHex(VECTORS[c.name])))).toBe(show(c.js));
    });
    if (c.exact) {
      test(`${c.name}: encoding the value gives term_to_binary's bytes`, () => {
        expect(toHex(encodeTerm(c.js))).toBe(VECTORS[c.name]);
      });
    }
  }
});

describe("decoding", () => {
  test("a frame of two terms decodes one after the other", () => {
    const control = encodeTerm(new Tuple([6, new Atom("x")]));
    const message = encodeTerm("hi");
    const frame = new Uint8Array([112, ...control, ...message]);
    const first = decodeTermAt(frame, 1);
    expect(show(first.value)).toBe("{6, :x}");
    expect(decodeTermAt(frame, first.end)).toEqual({ value: "hi", end: frame.length });
  });

  test("a list whose tail is a list is one proper list, as binary_to_term reads it", () => {
    // [1 | [2]] written as LIST(1, tail LIST(1, tail NIL))
    const bytes = new Uint8Array([131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 106]);
    expect(show(decodeTerm(bytes))).toBe("[1, 2]");
  });

  test("a map key __proto__ stays data", () => {
    const value = decodeTerm(encodeTerm(new Map([["__proto__", 1]]))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  test("a fun is kept as its bytes and sent back unchanged", () => {
    const fun = new Uint8Array([112, 0, 0, 0, 7, 1, 2, 3]);
    const value = decodeTerm(new Uint8Array([131, ...fun]));
    expect(value).toBeInstanceOf(OpaqueFun);
    expect(encodeTerm(value)).toEqual(new Uint8Array([131, ...fun]));
  });

  test.each([
    ["no version byte", [97, 1], "version byte 131"],
    ["nothing at all", [], "Empty"],
    ["a truncated integer", [131, 98, 0, 0], "Truncated"],
    ["a list claiming 2^32-1 elements", [131, 108, 255, 255, 255, 255, 106], "list of 4294967295 elements"],
    ["a binary longer than the input", [131, 109, 0, 0, 1, 0, 1], "Truncated"],
    ["an unknown tag", [131, 42], "unknown tag 42"],
    ["an atom cache reference", [131, 82, 0], "DFLAG_DIST_HDR_ATOM_CACHE"],
    ["a compressed term", [131, 80, 0, 0, 0, 1], "Compressed"],
    ["trailing bytes", [131, 97, 1, 0], "1 bytes follow"],
    ["an atom that is not UTF-8", [131, 119, 1, 255], "not valid UTF-8"],
    ["a reference of 6 words", [131, 90, 0, 6], "6 id words"],
    ["an atom of 300 characters", [131, 118, 1, 44, ...new Array(300).fill(97)], "more than 255 characters"],
  ])("%s is a CodecError", (_, bytes, message) => {
    expect(codecError(() => decodeTerm(new Uint8Array(bytes))).message).toContain(message);
  });

  test("input over maxBytes is a TooLargeError, nesting over maxDepth a CodecError", () => {
    const limits = { maxBytes: 20, maxDepth: 2 };
    expect(() => decodeTerm(new Uint8Array(21).fill(131), { limits })).toThrow(TooLargeError);
    const deep = encodeTerm(Tuple.of(Tuple.of(Tuple.of(1))));
    expect(codecError(() => decodeTerm(deep, { limits })).message).toContain("deeper than the limit of 2");
    expect(show(decodeTerm(encodeTerm(Tuple.of(Tuple.of(1))), { limits }))).toBe("{{1}}");
  });
});

describe("encoding refuses what Erlang would not read back, saying where", () => {
  test.each([
    ["NaN", { a: [1, Number.NaN] }, "args.a[1]", "NaN"],
    ["Infinity", new Tuple([Infinity]), "args[0]", "Infinity"],
    ["a function", [() => 1], "args[0]", "a function"],
    ["a symbol", { s: Symbol("x") }, "args.s", "a symbol"],
    ["a class instance", { x: new (class Foo {})() }, "args.x", "an instance of Foo"],
    ["an invalid Date", [new Date(Number.NaN)], "args[0]", "invalid Date"],
    ["colliding Map keys", new Map<unknown, unknown>([[1, "a"], [1n, "b"]]), "args.keys()[1]", "two keys"],
    ["a long atom name in a Pid", new Pid("x".repeat(300), 1, 0, 0), "args", "more than 255 characters"],
    ["a Pid field out of range", [new Pid("a@b", -1, 0, 0)], "args[0]", "a Pid"],
    ["a fake fun", new OpaqueFun(new Uint8Array([1, 2])), "args", "NEW_FUN_EXT"],
  ])("%s", (_, value, path, message) => {
    const err = codecError(() => encodeTerm(value, { root: "args" }));
    expect(err.path).toBe(path);
    expect(err.message).toContain(message);
  });

  test("a cycle and too deep a value are refused", () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(codecError(() => encodeTerm(cyclic)).message).toContain("contains itself");
    expect(codecError(() => encodeTerm([[[1]]], { maxDepth: 2 })).path).toBe("value[0][0]");
  });

  test("an improper list's tail is encoded after its elements", () => {
    const value = new ImproperList([1], new Atom("t"));
    expect(toHex(encodeTerm(value))).toBe("836c0000000161017701" + "74");
  });

  test("without the version byte, the term alone", () => {
    expect(encodeTerm(1, { versionByte: false })).toEqual(new Uint8Array([97, 1]));
  });
});

describe("under Deno", () => {
  test("the golden vectors decode and encode the same", async () => {
    const root = new URL("../../", import.meta.url).pathname;
    const proc = Bun.spawn([`${root}node_modules/.bin/deno`, "run", "-A", `${root}test/support/erlang_term_deno.ts`], {
      stdout: "pipe",
    });
    const out = JSON.parse(await new Response(proc.stdout).text());
    expect(out).toEqual({ runtime: "deno", cases: TERM_CASES.length, wrong: [] });
  }, 30_000);
});
