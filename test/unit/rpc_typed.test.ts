/**
 * Typed calls (`node.module<typeof import(...)>()`): the proxy's behaviour,
 * and what the compiler accepts and refuses (test/unit/typed/, checked by
 * `deno check`).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CallResult, RpcError, type Value } from "../../lib/result.ts";
import { remoteModule } from "../../lib/rpc/typed.ts";

const ROOT = join(import.meta.dir, "..", "..");
const DENO = join(ROOT, "node_modules/.bin/deno");

type Shapes = typeof import("./typed/shapes.ts");

/** A caller that answers from `answer` and records what was called. */
function recording(answer: (fn: string, args: Value[]) => CallResult) {
  const calls: [string, Value[]][] = [];
  const caller = (fn: string, args: Value[]) => {
    calls.push([fn, args]);
    return Promise.resolve(answer(fn, args));
  };
  return { calls, caller };
}

async function denoCheck(file: string) {
  const proc = Bun.spawn([DENO, "check", "--config", join(ROOT, "deno.json"), file], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, output: out + err };
}

describe("a typed module proxy", () => {
  test("calls the function named by the property with the arguments given, resolving with the value", async () => {
    const { calls, caller } = recording((fn, args) => ({ kind: "ok", value: `${fn}:${JSON.stringify(args)}` }));
    const shapes = remoteModule<Shapes>(caller);
    expect(await shapes.greet("hoge@localhost", 2)).toBe('greet:["hoge@localhost",2]');
    expect(await shapes.total([1, 2]) as unknown).toBe("total:[[1,2]]");
    expect(calls).toEqual([["greet", ["hoge@localhost", 2]], ["total", [[1, 2]]]]);
  });

  test("rejects with one RpcError carrying a failed result, as call does", async () => {
    const { caller } = recording((fn) => ({ kind: "undef", module: "shapes", function: fn }));
    const shapes = remoteModule<Shapes>(caller);
    const err = await shapes.nothing().then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).result).toEqual({ kind: "undef", module: "shapes", function: "nothing" });
  });

  test("is not a thenable and has no symbol properties, so awaiting or printing it calls nothing", async () => {
    const { calls, caller } = recording(() => ({ kind: "ok", value: 1 }));
    const shapes = remoteModule<Shapes>(caller);
    expect(await Promise.resolve(shapes)).toBe(shapes);
    expect((shapes as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe("the compiler on typed calls", () => {
  test("accepts right calls and refuses every @ts-expect-error line of typed/calls.ts", async () => {
    const r = await denoCheck("test/unit/typed/calls.ts");
    expect({ code: r.code, output: r.output.includes("error") ? r.output : "" }).toEqual({ code: 0, output: "" });
  }, 60_000);

  test("refuses a number where the module's function takes a string (typed/wrong_argument.ts)", async () => {
    const r = await denoCheck("test/unit/typed/wrong_argument.ts");
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("TS2345");
    expect(r.output).toContain("Argument of type 'number' is not assignable to parameter of type 'string'");
    expect(r.output).toContain("wrong_argument.ts:12:");
  }, 60_000);
});
