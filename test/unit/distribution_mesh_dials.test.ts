import { describe, expect, test } from "bun:test";
import { MESH_DIAL_ATTEMPTS, MeshDials } from "../../lib/distribution/mesh_dials.ts";
import { type Fields, silentLogger } from "../../lib/core/log.ts";
import { noconnection, type NoConnection } from "../../lib/result.ts";
import { FakeClock } from "../support/fake_clock.ts";

type Answer = "ok" | "down";

/**
 * MeshDials whose connect is answered by the test: each call waits until
 * `answer(name, ...)` settles it. `linked` holds the names that count as linked.
 */
function setup(concurrency = 2) {
  const clock = new FakeClock();
  const linked = new Set<string>();
  const asked: { name: string; address: string; at: number }[] = [];
  const waiting = new Map<string, (a: Answer) => void>();
  const warnings: Fields[] = [];
  const dials = new MeshDials({
    connect(name, address): Promise<{ kind: "ok" } | NoConnection> {
      asked.push({ name, address, at: clock.now() });
      return new Promise((resolve) => {
        waiting.set(name, (a) => {
          if (a === "ok") linked.add(name);
          resolve(a === "ok" ? { kind: "ok" } : noconnection(name, "timed out"));
        });
      });
    },
    linked: (name) => linked.has(name),
    log: { ...silentLogger, warn: (_event, fields) => void warnings.push(fields ?? {}) },
    clock,
    concurrency,
    random: () => 0.999999,
  });
  const answer = async (name: string, a: Answer) => {
    const settle = waiting.get(name);
    if (!settle) throw new Error(`${name} is not being dialed`);
    waiting.delete(name);
    settle(a);
    await clock.advance(0);
  };
  return { clock, linked, asked, waiting, warnings, dials, answer };
}

describe("the mesh's own dials", () => {
  test("dial at most `concurrency` nodes at once, the next as soon as one finishes", async () => {
    const { asked, dials, answer, waiting } = setup(2);
    for (const n of ["a", "b", "c", "d"]) dials.add(`${n}@h`, `${n}@h:1`, "hub@h");
    expect(asked.map((a) => a.name)).toEqual(["a@h", "b@h"]);
    expect(dials.running).toBe(2);
    await answer("a@h", "ok");
    expect(asked.map((a) => a.name)).toEqual(["a@h", "b@h", "c@h"]);
    await answer("b@h", "ok");
    await answer("c@h", "ok");
    await answer("d@h", "ok");
    expect(waiting.size).toBe(0);
    expect(dials.running).toBe(0);
  });

  test("try a failed node again soon, with growing delays, and give up after the last attempt", async () => {
    const { clock, asked, dials, answer, warnings } = setup(2);
    dials.add("a@h", "a@h:1", "hub@h");
    const failedAt: number[] = [];
    for (let i = 0; i < MESH_DIAL_ATTEMPTS; i++) {
      await clock.advance(10_000);
      failedAt.push(clock.now());
      await answer("a@h", "down");
    }
    await clock.advance(60_000);
    expect(asked).toHaveLength(MESH_DIAL_ATTEMPTS);
    // 0.2 s doubling up to 5 s (jitter at its top here).
    expect(asked.slice(1).map((a, i) => a.at - failedAt[i])).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(warnings.at(0)).toMatchObject({ node: "a@h", via: "hub@h", reason: "timed out", attempt: 1, retry_in_ms: 200 });
    expect(warnings.at(-1)).toEqual({ node: "a@h", via: "hub@h", reason: "timed out", attempt: MESH_DIAL_ATTEMPTS });
    expect(clock.pendingTimers).toBe(0);
    // Named again by a later `peers` frame: tried again.
    dials.add("a@h", "a@h:1", "b@h");
    expect(asked).toHaveLength(MESH_DIAL_ATTEMPTS + 1);
  });

  test("do not dial a node that got linked meanwhile (it dialed this one)", async () => {
    const { clock, asked, linked, dials, answer } = setup(1);
    dials.add("a@h", "a@h:1", "hub@h");
    dials.add("b@h", "b@h:1", "hub@h");
    linked.add("b@h");
    await answer("a@h", "down");
    // a@h failed and waits for its retry; b@h, linked, is skipped.
    expect(asked.map((a) => a.name)).toEqual(["a@h"]);
    linked.add("a@h");
    await clock.advance(10_000);
    expect(asked.map((a) => a.name)).toEqual(["a@h"]);
    dials.add("c@h", "c@h:1", "hub@h");
    linked.add("d@h");
    dials.add("d@h", "d@h:1", "hub@h");
    expect(asked.map((a) => a.name)).toEqual(["a@h", "c@h"]);
  });

  test("dial a node named by several peers once, at the newest address", async () => {
    const { clock, asked, dials, answer } = setup(1);
    dials.add("a@h", "a@h:1", "hub@h");
    dials.add("b@h", "b@h:1", "hub@h");
    dials.add("b@h", "b@h:2", "a@h");
    dials.add("a@h", "a@h:3", "b@h");
    await answer("a@h", "down");
    await answer("b@h", "ok");
    await clock.advance(1000);
    expect(asked.map((a) => a.address)).toEqual(["a@h:1", "b@h:2", "a@h:3"]);
  });

  test("after close, nothing queued or waiting to retry is dialed", async () => {
    const { clock, asked, dials, answer } = setup(1);
    dials.add("a@h", "a@h:1", "hub@h");
    dials.add("b@h", "b@h:1", "hub@h");
    dials.close();
    await answer("a@h", "down");
    await clock.advance(60_000);
    dials.add("c@h", "c@h:1", "hub@h");
    expect(asked.map((a) => a.name)).toEqual(["a@h"]);
    expect(clock.pendingTimers).toBe(0);
  });
});
