/**
 * The External Term Format codec against real Erlang: the golden vectors of
 * test/fixtures/erlang/term_vectors.json are what `term_to_binary` prints
 * (WRITE_ERLANG_VECTORS=1 rewrites them), and `binary_to_term` reads what
 * `encodeTerm` writes as the term it stands for.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { encodeTerm } from "../../lib/erlang/term.ts";
import { hasErlang, runErlang, skipNote } from "../support/erlang.ts";
import { ENCODE_CASES, TERM_CASES, toHex } from "../support/erlang_term_cases.ts";

const FIXTURE = new URL("../fixtures/erlang/term_vectors.json", import.meta.url).pathname;
const ERL = hasErlang();
if (!ERL) skipNote("test/integration/erlang_term.test.ts");

/** Runs `fun` over each {Name, ...} pair in one erl and reads back "name value" lines. */
function perCase(pairs: string[], fun: string): Map<string, string> {
  const out = runErlang(`F = ${fun}, [io:format("~s ~s~n", [N, F(X)]) || {N, X} <- [${pairs.join(",\n")}]]`);
  return new Map(out.trim().split("\n").map((line) => line.split(" ", 2) as [string, string]));
}

describe.skipIf(!ERL)("the term codec against erl", () => {
  test("the golden vectors are what term_to_binary (minor_version 2) prints today", () => {
    const hexes = perCase(
      TERM_CASES.map((c) => `{"${c.name}", ${c.erl}}`),
      "fun(X) -> string:lowercase(binary:encode_hex(term_to_binary(X, [{minor_version, 2}]))) end",
    );
    const fresh = Object.fromEntries(TERM_CASES.map((c) => [c.name, hexes.get(c.name)]));
    if (process.env.WRITE_ERLANG_VECTORS === "1") writeFileSync(FIXTURE, JSON.stringify(fresh, null, 2) + "\n");
    expect(fresh).toEqual(JSON.parse(readFileSync(FIXTURE, "utf8")));
  });

  test("binary_to_term reads every encoded value as the Erlang term it stands for", () => {
    const cases = [
      ...TERM_CASES.filter((c) => !c.decodeOnly).map((c) => ({ name: c.name, js: c.js as unknown, erl: c.erl })),
      ...ENCODE_CASES,
    ];
    const verdicts = perCase(
      cases.map((c) => `{"${c.name}", {<<"${toHex(encodeTerm(c.js))}">>, ${c.erl}}}`),
      "fun({Hex, Want}) -> try binary_to_term(binary:decode_hex(Hex)) =:= Want of true -> ok; false -> differs " +
        "catch error:badarg -> badarg end end",
    );
    expect(Object.fromEntries(verdicts)).toEqual(Object.fromEntries(cases.map((c) => [c.name, "ok"])));
  });
});
