import { describe, expect, test } from "bun:test";
import type { NodeApi } from "../../lib/rpc/context.ts";
import { execute } from "../../lib/rpc/execute.ts";
import { Modules } from "../../lib/rpc/modules.ts";

const api = {} as NodeApi;

function run(modules: Modules, module: string, fn: string, args: unknown[] = [], timeoutMs = 1000, signal?: AbortSignal) {
  return execute(modules, { module, function: fn, args: args as never, self: "a@h", caller: "b@h", timeoutMs, signal, api });
}

describe("execute", () => {
  test("binds this to the call's context", async () => {
    const m = new Modules();
    m.register("M", { who(this: { self: string; caller: string }) { return [this.self, this.caller]; } });
    expect(await run(m, "M", "who")).toEqual({ kind: "ok", value: ["a@h", "b@h"] });
  });

  test("answers undef for a missing module, a missing function, and inherited properties", async () => {
    const m = new Modules();
    m.register("M", { f() { return 1; } });
    expect(await run(m, "Nope", "f")).toEqual({ kind: "undef", module: "Nope", function: "f" });
    expect(await run(m, "M", "g")).toEqual({ kind: "undef", module: "M", function: "g" });
    expect((await run(m, "M", "toString")).kind).toBe("undef");
    expect((await run(m, "M", "constructor")).kind).toBe("undef");
  });

  test("turns a throw or a rejection into an exception with name, message and stack", async () => {
    const m = new Modules();
    m.register("M", {
      sync() { throw new TypeError("bad type"); },
      async later() {
        await Promise.resolve();
        throw new Error("later");
      },
      value() { throw { code: 7 }; },
    });
    const sync = await run(m, "M", "sync");
    expect(sync).toMatchObject({ kind: "exception", name: "TypeError", message: "bad type" });
    expect(sync.kind === "exception" && sync.stack).toContain("sync");
    expect(await run(m, "M", "later")).toMatchObject({ kind: "exception", name: "Error", message: "later" });
    expect(await run(m, "M", "value")).toMatchObject({ kind: "exception", name: "Thrown", data: { code: 7 } });
  });

  test("drops exception data that cannot cross the wire instead of failing", async () => {
    const m = new Modules();
    m.register("M", { f() { throw Object.assign(new Error("x"), { data: () => 1 }); } });
    const r = await run(m, "M", "f");
    expect(r).toMatchObject({ kind: "exception", message: "x" });
    expect("data" in r).toBe(false);
  });

  test("times out, aborting this.signal with a TimeoutError", async () => {
    const m = new Modules();
    let reason: unknown;
    m.register("M", {
      wait(this: { signal: AbortSignal }) {
        return new Promise((_, reject) => this.signal.addEventListener("abort", () => reject((reason = this.signal.reason))));
      },
    });
    expect(await run(m, "M", "wait", [], 20)).toEqual({ kind: "timeout", node: "a@h", timeoutMs: 20 });
    expect((reason as Error).name).toBe("TimeoutError");
  });

  test("aborts this.signal when the outside signal fires (a cancel from the caller)", async () => {
    const m = new Modules();
    let aborted = false;
    m.register("M", {
      wait(this: { signal: AbortSignal }) {
        return new Promise((resolve) => this.signal.addEventListener("abort", () => resolve((aborted = true))));
      },
    });
    const outside = new AbortController();
    const r = run(m, "M", "wait", [], 10_000, outside.signal);
    outside.abort();
    expect(await r).toEqual({ kind: "ok", value: true });
    expect(aborted).toBe(true);
  });
});

describe("modules", () => {
  test("refuse to replace a built-in, and names that are not module names", () => {
    const m = new Modules();
    m.addBuiltin("rpc", { echo: (v: unknown) => v });
    expect(() => m.register("rpc", { f() {} })).toThrow("built in");
    expect(() => m.register("bad name", { f() {} })).toThrow("Invalid module name");
    expect(() => m.register("Empty", { x: 1 })).toThrow("exports no functions");
  });
});
