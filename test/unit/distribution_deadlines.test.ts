import { describe, expect, test } from "bun:test";
import { Deadlines } from "../../lib/distribution/deadlines.ts";
import { FakeClock } from "../support/fake_clock.ts";

describe("Deadlines: many deadlines on one timer", () => {
  test("each fires once, at its time, in order, across different timeouts", async () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    const fired: string[] = [];
    d.add(100, () => fired.push("a100"));
    await clock.advance(10);
    d.add(100, () => fired.push("b110"));
    d.add(50, () => fired.push("c60"));
    d.add(0, () => fired.push("d10"));
    await clock.advance(0);
    expect(fired).toEqual(["d10"]);
    await clock.advance(49);
    expect(fired).toEqual(["d10"]);
    await clock.advance(1);
    expect(fired).toEqual(["d10", "c60"]);
    await clock.advance(40);
    expect(fired).toEqual(["d10", "c60", "a100"]);
    await clock.advance(10);
    expect(fired).toEqual(["d10", "c60", "a100", "b110"]);
    await clock.advance(1000);
    expect(fired).toHaveLength(4);
  });

  test("a cancelled deadline never fires, and the others still do", async () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    const fired: number[] = [];
    const all = Array.from({ length: 3000 }, (_, i) => d.add(100, () => fired.push(i)));
    for (const [i, x] of all.entries()) if (i % 3 !== 0) x.cancel();
    await clock.advance(100);
    expect(fired).toEqual(all.map((_, i) => i).filter((i) => i % 3 === 0));
  });

  test("clear cancels everything and leaves no timer armed", async () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    let fired = 0;
    d.add(10, () => fired++);
    d.add(20, () => fired++);
    d.clear();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(100);
    expect(fired).toBe(0);
    d.add(5, () => fired++);
    await clock.advance(5);
    expect(fired).toBe(1);
  });

  test("a deadline added while others expire is kept and fires in its turn", async () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    const fired: string[] = [];
    d.add(10, () => {
      fired.push("first");
      d.add(10, () => fired.push("second"));
    });
    await clock.advance(10);
    await clock.advance(10);
    expect(fired).toEqual(["first", "second"]);
  });

  test("deadlines cancelled in order are dropped at the next add, not kept until a timer fires", () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    for (let i = 0; i < 10_000; i++) d.add(60_000, () => {}).cancel();
    expect(d.held).toBeLessThanOrEqual(1);
    // One call still running holds the ones behind it, until it ends.
    const slow = d.add(60_000, () => {});
    for (let i = 0; i < 100; i++) d.add(60_000, () => {}).cancel();
    expect(d.held).toBe(101);
    slow.cancel();
    d.add(60_000, () => {});
    expect(d.held).toBe(1);
  });
});
