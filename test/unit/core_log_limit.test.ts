import { describe, expect, test } from "bun:test";
import { LogLimit } from "../../lib/core/log_limit.ts";
import { clipUntrusted } from "../../lib/core/untrusted.ts";

describe("LogLimit", () => {
  test("a source gets its burst, then is suppressed, and the next admitted line counts what was dropped", () => {
    let now = 0;
    const limit = new LogLimit({ burst: 3, perSecond: 1, now: () => now });
    expect([limit.admit("a"), limit.admit("a"), limit.admit("a")]).toEqual([0, 0, 0]);
    expect(limit.admit("a")).toBeUndefined();
    expect(limit.admit("a")).toBeUndefined();
    now += 1000;
    expect(limit.admit("a")).toBe(2);
    expect(limit.admit("a")).toBeUndefined();
  });

  test("sources are limited separately", () => {
    const limit = new LogLimit({ burst: 1, now: () => 0 });
    expect(limit.admit("a")).toBe(0);
    expect(limit.admit("a")).toBeUndefined();
    expect(limit.admit("b")).toBe(0);
  });

  test("the table of sources is bounded: the least recently seen is forgotten", () => {
    const limit = new LogLimit({ burst: 1, maxSources: 2, now: () => 0 });
    limit.admit("a");
    limit.admit("b");
    limit.admit("c"); // forgets a
    expect(limit.admit("a")).toBe(0);
    expect(limit.admit("c")).toBeUndefined();
  });
});

describe("clipUntrusted", () => {
  test("short text is kept, long text is clipped and says how much was left out", () => {
    expect(clipUntrusted("node@host")).toBe("node@host");
    const clipped = clipUntrusted("x".repeat(50_000));
    expect(clipped.length).toBeLessThan(250);
    expect(clipped).toEndWith("…(+49800 chars)");
  });

  test("a value that is not a string is described, not repeated", () => {
    expect(clipUntrusted(12)).toBe("(number)");
  });
});
