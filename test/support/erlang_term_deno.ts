/**
 * The golden vectors under any runtime (the tests run it with Deno):
 * `deno run -A test/support/erlang_term_deno.ts` prints one JSON line with
 * the cases whose decoding or exact re-encoding differs (none, when all is well).
 */
import { decodeTerm, encodeTerm } from "../../lib/erlang/term.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";
import { fromHex, show, TERM_CASES, toHex } from "./erlang_term_cases.ts";

const rt = await loadRuntime();
const vectors: Record<string, string> = JSON.parse(
  await rt.readTextFile(new URL("../fixtures/erlang/term_vectors.json", import.meta.url).pathname),
);
const wrong = TERM_CASES.filter((c) =>
  show(decodeTerm(fromHex(vectors[c.name]))) !== show(c.js) || (c.exact && toHex(encodeTerm(c.js)) !== vectors[c.name])
).map((c) => c.name);
rt.stdout(JSON.stringify({ runtime: rt.name, cases: TERM_CASES.length, wrong }));
