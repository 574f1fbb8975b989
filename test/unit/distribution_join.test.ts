import { describe, expect, test } from "bun:test";
import { NodeEvents } from "../../lib/core/events.ts";
import { silentLogger } from "../../lib/core/log.ts";
import { Joined } from "../../lib/distribution/join.ts";
import { noconnection, type NoConnection } from "../../lib/result.ts";
import { FakeClock } from "../support/fake_clock.ts";

/** A Joined whose connect answers from `answers` in turn (then "ok"), recording when it is asked. */
function setup(answers: ("ok" | "down")[]) {
  const clock = new FakeClock();
  const events = new NodeEvents();
  const asked: number[] = [];
  const joined = new Joined({
    connect(node): Promise<{ kind: "ok" } | NoConnection> {
      asked.push(clock.now());
      const a = answers.shift() ?? "ok";
      return Promise.resolve(a === "ok" ? { kind: "ok" } : noconnection(node, "unreachable"));
    },
    events,
    log: silentLogger,
    clock,
    random: () => 0.999999,
  });
  return { clock, events, asked, joined };
}

describe("--join keeps nodes connected", () => {
  test("connects at once, then retries with growing delays while unreachable", async () => {
    const { clock, asked, joined } = setup(["down", "down", "down", "ok"]);
    joined.keep("b@h", "b@h");
    await clock.advance(10_000);
    expect(asked).toEqual([0, 500, 1500, 3500]);
  });

  test("connects again after the node goes down", async () => {
    const { clock, events, asked, joined } = setup(["ok", "ok"]);
    joined.keep("b@h", "b@h");
    await clock.advance(100);
    events.emit({ type: "nodedown", node: "b@h", reason: "gone", time: 0 });
    await clock.advance(1000);
    expect(asked).toEqual([0, 600]);
  });

  test("stops retrying once released", async () => {
    const { clock, events, asked, joined } = setup(["down", "down", "down"]);
    joined.keep("b@h", "b@h");
    await clock.advance(100);
    joined.release("b@h");
    events.emit({ type: "nodedown", node: "b@h", reason: "gone", time: 0 });
    await clock.advance(60_000);
    expect(asked).toEqual([0]);
    expect(clock.pendingTimers).toBe(0);
  });
});
