import { describe, expect, test } from "bun:test";
import { after, MAX_TIMER_MS } from "../../lib/core/timer.ts";

describe("after", () => {
  test("runs the function once after about the time asked", async () => {
    let runs = 0;
    const started = Date.now();
    after(20, () => runs++);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
  });

  test("does not run once cancelled", async () => {
    let runs = 0;
    after(10, () => runs++)();
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(0);
  });

  test("waits beyond 2^31-1 ms instead of firing at once, and can be cancelled then", async () => {
    let runs = 0;
    const cancel = after(MAX_TIMER_MS + 1000, () => runs++);
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(0);
    cancel();
  });
});
