import { describe, expect, test } from "bun:test";
import type { NodeApi } from "../../lib/rpc/context.ts";
import { installBuiltins } from "../../lib/rpc/builtins.ts";
import { execute } from "../../lib/rpc/execute.ts";
import { Modules } from "../../lib/rpc/modules.ts";
import type { Runtime } from "../../lib/runtime/types.ts";

function builtins(): Modules {
  const m = new Modules();
  installBuiltins(m, {
    runtime: {} as Runtime,
    version: "test",
    startedAt: Date.now(),
    nodes: () => [],
    ping: () => Promise.resolve("pang"),
  });
  return m;
}

describe("rpc.sleep", () => {
  test("waits longer than 2^31-1 ms instead of returning at once, and stops when cancelled", async () => {
    const abort = new AbortController();
    let settled = false;
    const pending = Promise.resolve(execute(builtins(), { self: "a@h", api: {} as NodeApi }, {
      module: "rpc",
      function: "sleep",
      args: [2 ** 31 + 1000],
      caller: "b@h",
      timeoutMs: Infinity,
      signal: abort.signal,
    })).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    abort.abort(new Error("cancelled"));
    expect((await pending).kind).toBe("exception");
  });

  test("returns the milliseconds it slept", async () => {
    const r = await execute(builtins(), { self: "a@h", api: {} as NodeApi }, {
      module: "rpc",
      function: "sleep",
      args: [5],
      caller: "b@h",
      timeoutMs: 1000,
    });
    expect(r).toEqual({ kind: "ok", value: 5 });
  });
});

describe("execute with a deadline over 2^31-1 ms (a peer's call frame may carry one)", () => {
  test("runs the function instead of timing out at once", async () => {
    const m = new Modules();
    m.register("M", { later: () => new Promise((r) => setTimeout(() => r("done"), 30)) });
    const r = await execute(m, { self: "a@h", api: {} as NodeApi }, {
      module: "M",
      function: "later",
      args: [],
      caller: "b@h",
      timeoutMs: 2 ** 31 + 1000,
    });
    expect(r).toEqual({ kind: "ok", value: "done" });
  });
});

describe("system.activity", () => {
  test("lists every module's functions, with what the node adds (calls, links, events)", async () => {
    const m = new Modules();
    installBuiltins(m, {
      runtime: {} as Runtime,
      version: "test",
      startedAt: Date.now(),
      nodes: () => [],
      ping: () => Promise.resolve("pang"),
      activity: () => ({ calls: [], links: [], events: [] }),
    });
    m.register("Person", { say_hello() {}, whoami() {} });
    const r = await execute(m, { self: "a@h", api: {} as NodeApi }, {
      module: "system",
      function: "activity",
      args: [],
      caller: "a@h",
      timeoutMs: 1000,
    });
    expect(r.kind).toBe("ok");
    const value = (r as { value: Record<string, Record<string, string[]>> }).value;
    expect(value.modules.Person).toEqual(["say_hello", "whoami"]);
    expect(value.modules.system).toEqual(["activity", "info"]);
    expect(value).toMatchObject({ calls: [], links: [], events: [] });
  });
});
