/**
 * The per function figures the dashboard shows: counts per ten-second
 * bucket over five minutes, failures by kind, latency percentiles, and the
 * bounds that keep their memory fixed.
 */
import { describe, expect, test } from "bun:test";
import { BUCKET_MS, BUCKETS, CallStats, MAX_FUNCTIONS, OTHER, UNDEFINED } from "../../lib/rpc/call_stats.ts";
import { RecentEvents } from "../../lib/core/recent_events.ts";
import { Sessions } from "../../lib/dashboard/sessions.ts";

const T0 = 1_700_000_000_000;

describe("CallStats", () => {
  test("counts calls per function, with failures by kind and percentiles", () => {
    const s = new CallStats();
    for (let i = 1; i <= 100; i++) s.record("Person", "say_hello", "ok", i, T0 + i);
    s.record("Person", "say_hello", "exception", 5, T0 + 200);
    s.record("Person", "say_hello", "timeout", 5000, T0 + 300);
    const [f] = s.snapshot(T0 + 1000);
    expect(f.name).toBe("Person.say_hello");
    expect(f.calls).toBe(102);
    expect(f.failures).toEqual({ exception: 1, timeout: 1 });
    expect(f.p50).toBeGreaterThanOrEqual(49);
    expect(f.p50).toBeLessThanOrEqual(52);
    expect(f.p99).toBeGreaterThanOrEqual(99);
    expect(f.series.length).toBe(BUCKETS);
    expect(f.series.at(-1)).toBe(102);
    expect(f.failureSeries.at(-1)).toBe(2);
  });

  test("forgets what is older than the window", () => {
    const s = new CallStats();
    s.record("A", "f", "ok", 1, T0);
    s.record("A", "f", "ok", 1, T0 + 2 * BUCKET_MS);
    expect(s.snapshot(T0 + 2 * BUCKET_MS)[0].series.slice(-3)).toEqual([1, 0, 1]);
    expect(s.snapshot(T0 + (BUCKETS + 1) * BUCKET_MS)[0].calls).toBe(1);
    expect(s.snapshot(T0 + (BUCKETS + 5) * BUCKET_MS)).toEqual([]);
  });

  test("counts undefined functions together, and past the bound the rest together", () => {
    const s = new CallStats();
    for (let i = 0; i < 50; i++) s.record("Nope", `f${i}`, "undef", 1, T0);
    for (let i = 0; i < MAX_FUNCTIONS + 20; i++) s.record("M", `f${i}`, "ok", 1, T0);
    const snap = s.snapshot(T0);
    expect(snap.length).toBe(MAX_FUNCTIONS + 2);
    expect(snap.find((f) => f.name === UNDEFINED)?.calls).toBe(50);
    expect(snap.find((f) => f.name === OTHER)?.calls).toBe(20);
  });
});

describe("RecentEvents", () => {
  test("keeps the newest, newest first, with long details clipped", () => {
    const r = new RecentEvents(3);
    for (let i = 0; i < 5; i++) r.add({ time: i, type: "refused", node: `n${i}`, detail: "x".repeat(1000) });
    expect(r.list().map((e) => e.node)).toEqual(["n4", "n3", "n2"]);
    expect(r.list()[0].detail.length).toBeLessThan(310);
  });
});

describe("Sessions", () => {
  test("expire, and the table keeps at most max of them (the oldest go first)", async () => {
    let now = T0;
    const s = new Sessions("c", { ttlMs: 1000, max: 2, now: () => now });
    const a = await s.create();
    const b = await s.create();
    const c = await s.create();
    expect(s.size).toBe(2);
    expect(await s.check(a.token)).toBeUndefined();
    expect(await s.check(b.token)).toBeDefined();
    now += 1000;
    expect(await s.check(c.token)).toBeUndefined();
  });
});
