import { describe, expect, test } from "bun:test";
import { deadline, isTimeoutError, timeoutSignal } from "../../lib/core/deadline.ts";

const never = () => new Promise<never>(() => {});

describe("deadline", () => {
  test("settles as the promise does when it is in time", async () => {
    expect(await deadline(Promise.resolve(7), 1000)).toBe(7);
    const err = await deadline(Promise.reject(new Error("boom")), 1000).catch((e) => e);
    expect((err as Error).message).toBe("boom");
    expect(isTimeoutError(err)).toBe(false);
  });

  test("rejects with a TimeoutError when the time runs out first", async () => {
    const started = Date.now();
    const err = await deadline(never(), 20).catch((e) => e);
    expect(isTimeoutError(err)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  test("rejects with the signal's reason when the signal aborts first", async () => {
    const ac = new AbortController();
    const p = deadline(never(), 10_000, ac.signal);
    ac.abort(new Error("stopped by the caller"));
    const err = await p.catch((e) => e);
    expect((err as Error).message).toBe("stopped by the caller");
    expect(isTimeoutError(err)).toBe(false);
  });

  test("rejects at once for a signal that has already aborted", async () => {
    const err = await deadline(Promise.resolve(1), 1000, AbortSignal.abort(new Error("too late"))).catch((e) => e);
    expect((err as Error).message).toBe("too late");
  });

  test("sets no timer for Infinity and refuses a negative time", async () => {
    expect(timeoutSignal(Infinity).aborted).toBe(false);
    expect(await deadline(Promise.resolve("x"), Infinity)).toBe("x");
    expect(() => timeoutSignal(-1)).toThrow(RangeError);
  });
});

describe("deadline beyond setTimeout's limit", () => {
  test("does not time out at once for more than 2^31-1 ms", async () => {
    let settled = false;
    const p = deadline(new Promise((r) => setTimeout(() => r("done"), 50)), 2 ** 31 + 1000)
      .finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    expect(await p).toBe("done");
  });

  test("a long timeoutSignal does not abort at once", async () => {
    const ac = new AbortController();
    const signal = timeoutSignal(2 ** 31 + 1000, ac.signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(signal.aborted).toBe(false);
    ac.abort(new Error("stop"));
    expect((signal.reason as Error).message).toBe("stop");
  });
});
