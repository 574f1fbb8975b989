/**
 * Serving: what a node counts for the calls and casts that arrive at it.
 */
import { describe, expect, test } from "bun:test";
import type { Kind } from "../../lib/result.ts";
import { CallStats } from "../../lib/rpc/call_stats.ts";
import type { NodeApi } from "../../lib/rpc/context.ts";
import { InFlight } from "../../lib/rpc/in_flight.ts";
import { Modules } from "../../lib/rpc/modules.ts";
import { Serving } from "../../lib/rpc/serving.ts";

function serving() {
  const modules = new Modules();
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  modules.register("M", {
    now() {
      return 1;
    },
    async held() {
      await held;
      return 2;
    },
    boom() {
      throw new RangeError("no");
    },
  });
  const inFlight = new InFlight();
  const counted: Kind[] = [];
  const stats = new CallStats();
  const s = new Serving({ modules, host: { self: "a@h", api: {} as NodeApi }, inFlight, count: (_, kind) => counted.push(kind), stats });
  const call = (fn: string) => ({ caller: "b@h", module: "M", function: fn, args: [], timeoutMs: 1000 });
  return { s, inFlight, counted, stats, call, release };
}

describe("Serving", () => {
  test("a function that answers at once gives its outcome at once, counted by kind and per function", () => {
    const { s, inFlight, counted, stats, call } = serving();
    expect(s.serve(call("now"))).toEqual({ kind: "ok", value: 1 });
    expect(s.serve(call("boom"))).toMatchObject({ kind: "exception", name: "RangeError" });
    expect(counted).toEqual(["ok", "exception"]);
    expect(inFlight.count).toBe(0);
    const byName = new Map(stats.snapshot(Date.now()).map((f) => [f.name, f]));
    expect(byName.get("M.now")).toMatchObject({ calls: 1, failures: {} });
    expect(byName.get("M.boom")).toMatchObject({ calls: 1, failures: { exception: 1 } });
  });

  test("a call that waits is in flight until it ends, and counted then", async () => {
    const { s, inFlight, counted, call, release } = serving();
    const pending = s.serve(call("held"));
    expect(pending).toBeInstanceOf(Promise);
    expect(inFlight.count).toBe(1);
    expect(counted).toEqual([]);
    release();
    expect(await pending).toEqual({ kind: "ok", value: 2 });
    expect(inFlight.count).toBe(0);
    expect(counted).toEqual(["ok"]);
  });

  test("a cast keeps nothing but the count, whatever its function does", async () => {
    const { s, inFlight, counted, release } = serving();
    s.serveCast({ caller: "b@h", module: "M", function: "boom", args: [] });
    s.serveCast({ caller: "b@h", module: "M", function: "missing", args: [] });
    s.serveCast({ caller: "b@h", module: "M", function: "held", args: [] });
    expect(counted).toEqual(["exception", "undef"]);
    expect(inFlight.count).toBe(1);
    release();
    await inFlight.idle();
    expect(counted).toEqual(["exception", "undef", "ok"]);
  });
});
