import { describe, expect, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { SHORT_TEXT_MAX, shortAscii } from "../../lib/codec/short_text.ts";

const bytesOf = (s: string) => new TextEncoder().encode(s);

describe("short ASCII text is read through a table of recent strings", () => {
  test("the same bytes read as the same text, wherever they sit in the input", () => {
    const data = bytesOf("xxechoyyecho");
    expect(shortAscii(data, 2, 6)).toBe("echo");
    expect(shortAscii(data, 8, 12)).toBe("echo");
    expect(shortAscii(bytesOf(""), 0, 0)).toBe("");
  });

  test("thousands of different strings, far more than the table holds, each come back as written", () => {
    // Slots are shared by many of these: a string is only handed out again for the very same bytes.
    const words: string[] = [];
    for (let i = 0; i < 5000; i++) words.push(`n${i}@h${i % 7}`, String.fromCharCode(33 + (i % 90)) + "x".repeat(i % SHORT_TEXT_MAX));
    for (let round = 0; round < 2; round++) {
      for (const w of words) {
        const b = bytesOf(`[${w}]`);
        expect(shortAscii(b, 1, b.length - 1)).toBe(w);
      }
    }
  });

  test("text with a byte over 0x7f, or longer than the table's strings, is left to the UTF-8 decoder", () => {
    expect(shortAscii(bytesOf("café"), 0, 5)).toBeUndefined();
    const long = bytesOf("a".repeat(SHORT_TEXT_MAX + 1));
    expect(shortAscii(long, 0, long.length)).toBeUndefined();
    expect(shortAscii(long, 0, SHORT_TEXT_MAX)).toBe("a".repeat(SHORT_TEXT_MAX));
  });

  test("CBOR decoding gives the same values as before: short, long, non-ASCII and mixed text", () => {
    const value = ["rpc", "echo", "hello", "é", "x".repeat(SHORT_TEXT_MAX), "y".repeat(SHORT_TEXT_MAX + 1), "日本", { rpc: "rpc" }];
    expect(decode(encode(value))).toEqual(value);
    // Again: now the short strings come from the table.
    expect(decode(encode(value))).toEqual(value);
  });
});
