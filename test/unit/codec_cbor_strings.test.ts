import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { CodecError } from "../../lib/codec/errors.ts";
import { decodeJson } from "../../lib/codec/json_decode.ts";
import { encodeJson } from "../../lib/codec/json_encode.ts";
import { TooLargeError } from "../../lib/codec/limits.ts";
import { hex, thrown } from "../support/cbor.ts";

describe("CBOR text must be UTF-8, as JSON text must", () => {
  test("a text string with invalid UTF-8 is refused, saying where, not patched with U+FFFD", () => {
    // {"args": ["ok", "a<ff>b"]}
    const err = thrown(() => decode(hex("a1 6461726773 82 626f6b 6361ff62"))) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.message).toContain("not valid UTF-8");
    expect(err.message).toContain("at byte 10");
    expect(err.message).toContain("value.args[1]");
    expect(err.path).toBe("value.args[1]");
    expect(err.message).toContain("send text as UTF-8, or binary data as a byte string");
  });

  test("JSON refuses the same bytes", () => {
    expect(() => decodeJson(new Uint8Array([0x22, 0x61, 0xff, 0x62, 0x22]))).toThrow(CodecError);
  });

  test("a bad key, a lone surrogate, an overlong form and a truncated sequence are refused", () => {
    expect((thrown(() => decode(hex("a1 61ff 01"))) as CodecError).path).toBe("value.keys()[0]");
    expect(thrown(() => decode(hex("63 eda080")))).toBeInstanceOf(CodecError); // U+D800
    expect(thrown(() => decode(hex("62 c0af")))).toBeInstanceOf(CodecError); // overlong "/"
    expect(thrown(() => decode(hex("62 e282")))).toBeInstanceOf(CodecError); // 2 of 3 bytes
    // long strings take cborg's other path
    expect(thrown(() => decode(encodeBadLong()))).toBeInstanceOf(CodecError);
  });

  test("a real U+FFFD and a leading U+FEFF are kept as sent", () => {
    expect(decode(encode("a\uFFFDb"))).toBe("a\uFFFDb");
    expect(decode(encode("\uFEFFx"))).toBe("\uFEFFx");
    expect(decode(encode("日本".repeat(40)))).toBe("日本".repeat(40));
  });

  test("text inside a date tag is checked too", () => {
    expect(thrown(() => decode(hex("c0 62 31ff")))).toBeInstanceOf(CodecError);
  });
});

describe("indefinite-length strings (RFC 8949 §3.2.3) are read", () => {
  test("byte strings join their chunks", () => {
    expect(decode(hex("5f 42 0102 43 030405 ff"))).toStrictEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(decode(hex("5f ff"))).toStrictEqual(new Uint8Array(0));
  });

  test("text strings join their chunks", () => {
    // the RFC's example: (_ "strea", "ming")
    expect(decode(hex("7f 657374726561 646d696e67 ff"))).toBe("streaming");
    expect(decode(hex("7f ff"))).toBe("");
    expect(decode(hex("a1 7f 6161 6162 ff 01"))).toStrictEqual({ ab: 1 });
  });

  test("inside containers and as bigint content", () => {
    expect(decode(hex("82 7f 6161 ff 5f 4101 ff"))).toStrictEqual(["a", new Uint8Array([1])]);
    expect(decode(hex("c2 5f 4101 4100 ff"))).toBe(256n);
  });

  test("a chunk of another type, a nested indefinite chunk or a missing break is refused", () => {
    expect(thrown(() => decode(hex("5f 6161 ff"))).message).toContain("definite-length byte string at byte 1");
    expect(thrown(() => decode(hex("7f 7f ff ff"))).message).toContain("definite-length text string");
    expect(thrown(() => decode(hex("7f 01 ff")))).toBeInstanceOf(CodecError);
    expect(thrown(() => decode(hex("7f 6161"))).message).toContain("no break code");
    expect(thrown(() => decode(hex("5f 43 01")))).toBeInstanceOf(CodecError);
  });

  test("each text chunk must be UTF-8 on its own: a character cannot straddle chunks", () => {
    // "é" is c3 a9, split between two chunks
    const err = thrown(() => decode(hex("7f 61c3 61a9 ff"))) as CodecError;
    expect(err.message).toContain("not valid UTF-8");
    expect(err.message).toContain("at byte 1");
  });

  test("they count against the same size limit as the rest of the body", () => {
    const body = hex("5f" + "4100".repeat(100) + "ff");
    expect(thrown(() => decode(body, { maxBytes: 100, maxDepth: 10 }))).toBeInstanceOf(TooLargeError);
    expect((decode(body) as Uint8Array).length).toBe(100);
  });

  // Joined once at the end, not chunk by chunk: done quadratically, this would take minutes (the test's timeout).
  test("a million one-byte chunks decode into one string", () => {
    const body = new Uint8Array(2 + 2 * 1_000_000);
    body[0] = 0x7f;
    for (let i = 0; i < 1_000_000; i++) {
      body[1 + 2 * i] = 0x61;
      body[2 + 2 * i] = 0x78;
    }
    body[body.length - 1] = 0xff;
    expect(decode(body)).toBe("x".repeat(1_000_000));
  });
});

function encodeBadLong(): Uint8Array {
  const body = encode("x".repeat(100));
  body[50] = 0xff;
  return body;
}

describe("a string with a lone surrogate is refused by both encoders and the JSON decoder, not sent as U+FFFD", () => {
  test("CBOR encoding refuses it, saying where and at which index", () => {
    const err = thrown(() => encode({ args: ["ok", "ab\ud800c"] }, { root: "args" })) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.path).toBe("args.args[1]");
    expect(err.message).toContain("not well-formed Unicode");
    expect(err.message).toContain("U+D800 at index 2");
    expect((thrown(() => encode({ ["k\udc00"]: 1 })) as CodecError).message).toContain("a key that is not well-formed");
    expect(thrown(() => encode(new Map([["\udbff", 1]])))).toBeInstanceOf(CodecError);
  });

  test("JSON encoding refuses it too", () => {
    expect((thrown(() => encodeJson(["\ud800"])) as CodecError).path).toBe("value[0]");
    expect(thrown(() => encodeJson({ ["\udc00"]: 1 }))).toBeInstanceOf(CodecError);
  });

  test("JSON decoding refuses a lone surrogate escape, in a value or a key", () => {
    const err = thrown(() => decodeJson('{"a": ["x", "\\ud800"]}')) as CodecError;
    expect(err.path).toBe("value.a[1]");
    expect(err.message).toContain("not well-formed Unicode");
    expect(thrown(() => decodeJson('{"\\udc00": 1}'))).toBeInstanceOf(CodecError);
  });

  test("surrogate pairs, written raw or escaped, are fine", () => {
    expect(decode(encode("😀"))).toBe("😀");
    expect(decodeJson('"\\ud83d\\ude00"')).toBe("😀");
    expect(encodeJson(["😀"])).toBe('["😀"]');
  });
});
