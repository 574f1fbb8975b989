import { describe, expect, test } from "bun:test";
import { Backpressure, HIGH_WATER, LOW_WATER } from "../../lib/distribution/backpressure.ts";
import { FakeClock } from "../support/fake_clock.ts";

describe("backpressure", () => {
  test("senders go on at once under the high-water mark", () => {
    const bp = new Backpressure(new FakeClock(), () => HIGH_WATER - 1);
    expect(bp.wait()).toBeUndefined();
  });

  test("over it, senders wait until the backlog is under the low-water mark, in order", async () => {
    const clock = new FakeClock();
    let backlog = HIGH_WATER;
    const bp = new Backpressure(clock, () => backlog);
    const order: number[] = [];
    bp.wait()!.then(() => order.push(1));
    backlog = LOW_WATER; // under high, but a sender already waits: the next one queues behind it
    bp.wait()!.then(() => order.push(2));
    await clock.advance(10);
    expect(order).toEqual([]);
    backlog = LOW_WATER - 1;
    await clock.advance(10);
    expect(order).toEqual([1, 2]);
    expect(bp.wait()).toBeUndefined();
  });

  test("release lets every waiting sender go on (the link went down)", async () => {
    const bp = new Backpressure(new FakeClock(), () => HIGH_WATER * 2);
    let went = false;
    bp.wait()!.then(() => (went = true));
    bp.release();
    await Promise.resolve();
    expect(went).toBe(true);
  });
});
