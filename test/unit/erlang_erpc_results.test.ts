/**
 * What erpc carries, both ways: a TypeScript outcome becomes the reason a
 * BEAM `erpc:execute_call/4` would end with, and an Erlang process's end
 * becomes one of the seven kinds.
 */
import { describe, expect, test } from "bun:test";
import { erpcReason, resultFromReason } from "../../lib/erlang/erpc_results.ts";
import { Atom, Ref, Tuple } from "../../lib/mod.ts";
import { exception, ok, timeout, undef } from "../../lib/result.ts";

const res = new Ref("ts@localhost", 1, [1, 2, 3]);
const [m, f] = [new Atom("Elixir.Person"), new Atom("say_hello")];
const t = (...items: unknown[]) => new Tuple(items as never[]);
const a = (name: string) => new Atom(name);

describe("a TypeScript outcome as erpc's reason", () => {
  test("a value is {Ref, return, V}", () => {
    expect(erpcReason(res, ok("hi"), m, f, [])).toEqual(t(res, a("return"), "hi"));
  });

  test("undef names the module, function and arguments as received", () => {
    expect(erpcReason(res, undef("Person", "say_hello"), m, f, [1])).toEqual(
      t(res, a("error"), a("undef"), [t(m, f, [1], [])]),
    );
  });

  test("an Error is an Elixir RuntimeError struct whose message keeps the error's name", () => {
    const r = erpcReason(res, exception("TypeError", "x is undefined"), m, f, []) as Tuple;
    expect(r[1]).toEqual(a("error"));
    const fields = r[2] as Map<unknown, unknown>;
    expect([...fields.values()]).toEqual([true, a("Elixir.RuntimeError"), "TypeError: x is undefined"]);
  });

  test("a thrown non-Error value is Erlang's throw", () => {
    expect(erpcReason(res, exception("Thrown", "oops", undefined, "oops"), m, f, [])).toEqual(t(res, a("throw"), "oops"));
  });

  test("a timeout is an exit", () => {
    expect(erpcReason(res, timeout("ts@localhost", 5), m, f, [])).toEqual(t(res, a("exit"), a("timeout")));
  });
});

describe("an Erlang process's end as a CallResult", () => {
  const from = (reason: unknown) => resultFromReason("ex@localhost", reason, res, "Elixir.Person", "say_hello");

  test("return is ok, noconnection is noconnection", () => {
    expect(from(t(res, a("return"), 3))).toEqual(ok(3));
    expect(from(a("noconnection"))).toEqual({ kind: "noconnection", node: "ex@localhost" });
  });

  test("undef of the called function is undef; deeper down it is an exception", () => {
    expect(from(t(res, a("error"), a("undef"), [t(m, f, [], [])]))).toEqual(undef("Elixir.Person", "say_hello"));
    const deeper = from(t(res, a("error"), a("undef"), [t(a("Other"), a("g"), 0, [])]));
    expect(deeper).toMatchObject({ kind: "exception", name: "ErlangError" });
  });

  test("an Elixir exception keeps its module and message", () => {
    const struct = new Map<unknown, unknown>([[a("__exception__"), true], [a("__struct__"), a("Elixir.ArgumentError")], [a("message"), "bad"]]);
    expect(from(t(res, a("error"), struct, []))).toMatchObject({ kind: "exception", name: "ArgumentError", message: "bad" });
  });

  test("other errors, throws and exits are named for what they were", () => {
    expect(from(t(res, a("error"), a("badarith"), []))).toMatchObject({ name: "ErlangError", message: "Erlang error: :badarith" });
    expect(from(t(res, a("throw"), 1))).toMatchObject({ name: "ErlangThrow", data: 1 });
    expect(from(t(res, a("exit"), a("normal")))).toMatchObject({ name: "ErlangExit" });
  });

  test("a reason for another reference is an exit, never a value", () => {
    const other = new Ref("ts@localhost", 1, [9, 9, 9]);
    expect(from(t(other, a("return"), 3))).toMatchObject({ kind: "exception", name: "ErlangExit" });
  });
});
