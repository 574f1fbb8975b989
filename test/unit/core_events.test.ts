/** Node events as an async iterator: in order, bounded, and ended by close, an abort or a break. */
import { describe, expect, test } from "bun:test";
import { type NodeEvent, NodeEvents } from "../../lib/core/events.ts";

const up = (node: string): NodeEvent => ({ type: "nodeup", node, hidden: false, time: 0 });
const down = (node: string): NodeEvent => ({ type: "nodedown", node, reason: "closed", time: 0 });

async function collect(it: AsyncIterable<NodeEvent>): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of it) seen.push(`${e.type} ${e.node}`);
  return seen;
}

describe("events()", () => {
  test("yields every event in order, and ends after the buffered ones when the node closes the events", async () => {
    const events = new NodeEvents();
    const it = events.iterate();
    const seen = collect(it);
    events.emit(up("a@h"));
    await Promise.resolve();
    events.emit(up("b@h"));
    events.emit(down("a@h"));
    events.close();
    expect(await seen).toEqual(["nodeup a@h", "nodeup b@h", "nodedown a@h"]);
    // Started after the close: ends at once.
    expect(await collect(events.iterate())).toEqual([]);
  });

  test("a slow consumer keeps only the newest `buffer` events", async () => {
    const events = new NodeEvents();
    const it = events.iterate({ buffer: 2 });
    for (const n of ["a@h", "b@h", "c@h", "d@h"]) events.emit(up(n));
    events.close();
    expect(await collect(it)).toEqual(["nodeup c@h", "nodeup d@h"]);
  });

  test("an abort ends a waiting iteration at once, dropping what it holds", async () => {
    const events = new NodeEvents();
    const ac = new AbortController();
    const it = events.iterate({ signal: ac.signal });
    const waiting = it.next();
    ac.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    events.emit(up("a@h"));
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(await collect(events.iterate({ signal: ac.signal }))).toEqual([]);
  });

  test("breaking out of the loop unsubscribes: later events are not buffered for it", async () => {
    const events = new NodeEvents();
    const it = events.iterate();
    events.emit(up("a@h"));
    for await (const e of it) {
      expect(e.node).toBe("a@h");
      break;
    }
    events.emit(up("b@h"));
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test("a buffer that is not a positive integer is a RangeError", () => {
    const events = new NodeEvents();
    expect(() => events.iterate({ buffer: 0 })).toThrow(RangeError);
    expect(() => events.iterate({ buffer: 1.5 })).toThrow(RangeError);
  });
});
