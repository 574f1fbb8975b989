import { describe, expect, test } from "bun:test";
import { Backoff } from "../../lib/core/backoff.ts";

describe("Backoff", () => {
  test("doubles up to the cap, each delay between half and all of its step", () => {
    const low = new Backoff({ firstMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff({ firstMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  test("two loops with real randomness do not retry in lockstep", () => {
    const a = new Backoff({ firstMs: 1000, maxMs: 30_000 });
    const b = new Backoff({ firstMs: 1000, maxMs: 30_000 });
    const delaysA = Array.from({ length: 8 }, () => a.next());
    const delaysB = Array.from({ length: 8 }, () => b.next());
    expect(delaysA).not.toEqual(delaysB);
  });

  test("reset starts again from the first step", () => {
    const b = new Backoff({ firstMs: 10, maxMs: 100, random: () => 0.999999 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(10);
  });

  test("refuses steps that make no sense", () => {
    expect(() => new Backoff({ firstMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ firstMs: 20, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ firstMs: 1, maxMs: 10, factor: 0.5 })).toThrow(RangeError);
  });
});
