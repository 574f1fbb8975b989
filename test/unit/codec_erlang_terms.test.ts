import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError } from "../../lib/codec/errors.ts";
import { decodeJson } from "../../lib/codec/json_decode.ts";
import { encodeJson, toJson } from "../../lib/codec/json_encode.ts";
import { Atom, BitString, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple } from "../../lib/core/terms.ts";
import type { Value } from "../../lib/result.ts";
import { show } from "../support/erlang_term_cases.ts";

const a = (name: string) => new Atom(name);

const SAMPLES: [string, Value][] = [
  ["an atom", a("ok")],
  ["a node name atom", a("ts@localhost")],
  ["a tuple", new Tuple([a("ok"), 1, "x"])],
  ["an empty tuple", new Tuple()],
  ["an improper list", new ImproperList([a("alias")], new Ref("ex@h", 7, [1, 2, 3]))],
  ["a bitstring", new BitString(new Uint8Array([0x20]), 3)],
  ["a pid", new Pid("ex@localhost", 85, 0, 1700000000)],
  ["a reference", new Ref("ex@localhost", 1, [3, 2, 1])],
  ["a port", new Port("ex@localhost", 5n, 1)],
  ["a wide port", new Port("ex@localhost", 1n << 60n, 1)],
  ["an export", new ExportFun("lists", "map", 2)],
  ["a fun", new OpaqueFun(new Uint8Array([112, 0, 0, 0, 5, 9]))],
  [
    "terms nested in maps, objects and lists",
    { m: new Map<Value, Value>([[a("k"), new Tuple([[1, a("v")]])]]), l: [new Tuple([new Tuple([])])] },
  ],
];

describe("Erlang values cross meshrpc's own codecs unchanged", () => {
  for (const [name, value] of SAMPLES) {
    test(`${name} round-trips through JSON`, () => {
      expect(show(decodeJson(encodeJson(value)))).toBe(show(value));
    });
    test(`${name} round-trips through CBOR`, () => {
      expect(show(decode(encode(value)))).toBe(show(value));
    });
  }
});

describe("the JSON markers", () => {
  test("read as documented, so curl users can write atoms and tuples", () => {
    expect(toJson(a("ok"))).toEqual({ $atom: "ok" });
    expect(toJson(new Tuple([a("ok"), 1]))).toEqual({ $tuple: [{ $atom: "ok" }, 1] });
    expect(toJson(new Pid("ex@h", 85, 0, 1))).toEqual({ $pid: { node: "ex@h", id: 85, serial: 0, creation: 1 } });
    const args = decodeJson('[{"$atom":"ts@localhost"}, {"$tuple":[{"$atom":"ok"}, {"$bigint":"1"}]}]') as Value[];
    expect(show(args)).toBe("[:ts@localhost, {:ok, 1n}]");
    expect((args[0] as Atom).split("@")[0]).toBe("ts");
  });

  test.each([
    ['{"$atom":1}', '{"$atom":"ok"}'],
    ['{"$tuple":{}}', '{"$tuple":'],
    ['{"$pid":{"node":"a@b","id":-1,"serial":0,"creation":0}}', '{"$pid":'],
    ['{"$reference":{"node":"a@b","creation":0,"ids":[]}}', "1 to 5 id words"],
    ['{"$improper":{"items":[],"tail":1}}', '{"$improper":'],
    ['{"$bits":{"bytes":{"$bytes":"IA=="},"bits":9}}', "1 to 8 bits"],
    ['[{"$atom":"' + "x".repeat(256) + '"}]', "at most 255 characters"],
  ])("%s is refused, saying how to write it", (text, message) => {
    const err = (() => {
      try {
        decodeJson(text);
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected an error");
    })();
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain(message);
  });
});

describe("the CBOR tag 27", () => {
  test("an unknown type name or wrong fields are CodecErrors", () => {
    const fake = encode([1]);
    // 0xd8 0x1b = tag 27, then the array
    expect(() => decode(new Uint8Array([0xd8, 0x1b, ...encode(["erlang.nope", 1])]))).toThrow("known type name");
    expect(() => decode(new Uint8Array([0xd8, 0x1b, ...encode(["erlang.pid", "a@b", 1])]))).toThrow("[node, id, serial, creation]");
    expect(() => decode(new Uint8Array([0xd8, 0x1b, ...fake]))).toThrow(CodecError);
    expect(() => decode(new Uint8Array([0xd8, 0x1b, 0x80]))).toThrow("definite-length array");
  });
});
