import { describe, expect, test } from "bun:test";
import { sleep } from "../../lib/core/sleep.ts";

describe("sleep", () => {
  test("resolves after about the time asked", async () => {
    const started = Date.now();
    await sleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  test("rejects with the signal's reason when aborted, early", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(10_000, ac.signal);
    ac.abort(new Error("wake up"));
    expect(((await p.catch((e) => e)) as Error).message).toBe("wake up");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("rejects at once for a signal that has already aborted", async () => {
    const err = await sleep(10, AbortSignal.abort(new Error("no"))).catch((e) => e);
    expect((err as Error).message).toBe("no");
  });
});

describe("sleep beyond setTimeout's limit", () => {
  test("waits more than 2^31-1 ms instead of resolving at once", async () => {
    const ac = new AbortController();
    let settled = false;
    const p = sleep(2 ** 31 + 1000, ac.signal).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    ac.abort(new Error("enough"));
    expect(((await p.catch((e) => e)) as Error).message).toBe("enough");
  });
});
