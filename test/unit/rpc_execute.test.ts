import { describe, expect, test } from "bun:test";
import type { NodeApi } from "../../lib/rpc/context.ts";
import { execute } from "../../lib/rpc/execute.ts";
import { Modules } from "../../lib/rpc/modules.ts";

const api = {} as NodeApi;

function run(modules: Modules, module: string, fn: string, args: unknown[] = [], timeoutMs = 1000, signal?: AbortSignal) {
  return execute(modules, { self: "a@h", api }, { module, function: fn, args: args as never, caller: "b@h", timeoutMs, signal });
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

describe("this.signal, made when the function reads it", () => {
  test("a function that returns at once sees a live signal", async () => {
    const m = new Modules();
    m.register("M", { f(this: { signal: AbortSignal }) { return this.signal.aborted; } });
    expect(await run(m, "M", "f")).toEqual({ kind: "ok", value: false });
  });

  test("read after the timeout, it is already aborted with the TimeoutError", async () => {
    const m = new Modules();
    let reason: unknown;
    m.register("M", {
      async late(this: { signal: AbortSignal }) {
        await Bun.sleep(40);
        reason = this.signal.reason;
        return this.signal.aborted;
      },
    });
    expect(await run(m, "M", "late", [], 10)).toEqual({ kind: "timeout", node: "a@h", timeoutMs: 10 });
    await Bun.sleep(60);
    expect((reason as Error).name).toBe("TimeoutError");
  });

  test("read after a cancel, it is aborted with the caller's reason; after a normal end, never", async () => {
    const m = new Modules();
    const seen: unknown[] = [];
    m.register("M", {
      async late(this: { signal: AbortSignal }) {
        await Bun.sleep(20);
        seen.push(this.signal.reason);
        return 1;
      },
      async kept(this: { signal: AbortSignal }) {
        await Bun.sleep(1);
        const signal = this.signal;
        setTimeout(() => seen.push(signal.aborted), 30);
        return 2;
      },
    });
    const outside = new AbortController();
    const r = run(m, "M", "late", [], 1000, outside.signal);
    outside.abort("cancelled");
    expect(await r).toEqual({ kind: "ok", value: 1 });
    const other = new AbortController();
    expect(await run(m, "M", "kept", [], 1000, other.signal)).toEqual({ kind: "ok", value: 2 });
    other.abort("too late");
    await Bun.sleep(50);
    expect(seen).toEqual(["cancelled", false]);
  });

  test("a returned thenable that is not a Promise is awaited, and its rejection is an exception", async () => {
    const m = new Modules();
    m.register("M", {
      yes() { return { then: (resolve: (v: number) => void) => resolve(7) }; },
      no() { return { then: (_: unknown, reject: (e: Error) => void) => reject(new RangeError("nope")) }; },
    });
    expect(await run(m, "M", "yes")).toEqual({ kind: "ok", value: 7 });
    expect(await run(m, "M", "no")).toMatchObject({ kind: "exception", name: "RangeError", message: "nope" });
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
