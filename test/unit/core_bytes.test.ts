import { describe, expect, test } from "bun:test";
import { constantTimeEqual, constantTimeEqualText } from "../../lib/core/bytes.ts";

describe("constant-time comparisons", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const cases: [string, string, boolean][] = [
    ["secret-cookie", "secret-cookie", true],
    ["secret-cookie", "secret-cookiE", false],
    ["secret-cookie", "secret-cooki", false],
    ["secret", "secret-cookie", false],
    ["", "", true],
    ["", "x", false],
    ["héllo ☃", "héllo ☃", true],
    ["héllo ☃", "hello ☃", false],
    ["a\u0000", "a", false],
  ];
  test.each(cases)("%p and %p: %p, as text and as bytes", (a, b, equal) => {
    expect(constantTimeEqualText(a, b)).toBe(equal);
    expect(constantTimeEqualText(b, a)).toBe(equal);
    expect(constantTimeEqual(bytes(a), bytes(b))).toBe(equal);
  });
});
