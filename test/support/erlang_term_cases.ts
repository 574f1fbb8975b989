/**
 * The value table of the External Term Format tests: each case is an Erlang
 * expression, the value `decodeTerm` must give for its `term_to_binary`, and
 * whether `encodeTerm` of that value gives the very same bytes. The bytes are
 * in test/fixtures/erlang/term_vectors.json, produced by real erl
 * (test/integration/erlang_term.test.ts checks and rewrites them).
 */
import type { Value } from "../../lib/result.ts";
import { Atom, BitString, ExportFun, ImproperList, Pid, Port, Ref, Tuple } from "../../lib/erlang/term.ts";

export type TermCase = {
  name: string;
  /** An Erlang expression (ASCII only: -eval's encoding is not UTF-8 everywhere). */
  erl: string;
  /** What decoding term_to_binary(erl) gives. */
  js: Value;
  /** encodeTerm(js) is byte for byte term_to_binary(erl); otherwise binary_to_term of it is still =:= erl. */
  exact: boolean;
  /** Only decoding is checked (JS cannot tell 1.0 from 1). */
  decodeOnly?: boolean;
};

/** JS values that encode to a given Erlang term, but do not come back as themselves. */
export type EncodeCase = { name: string; js: unknown; erl: string };

const a = (name: string) => new Atom(name);
const local = "nonode@nohost";

export const TERM_CASES: TermCase[] = [
  { name: "small_integer", erl: "255", js: 255, exact: true },
  { name: "zero", erl: "0", js: 0, exact: true },
  { name: "integer", erl: "256", js: 256, exact: true },
  { name: "negative", erl: "-1", js: -1, exact: true },
  { name: "int32_max", erl: "2147483647", js: 2147483647, exact: true },
  { name: "int32_min", erl: "-2147483648", js: -2147483648, exact: true },
  { name: "small_big", erl: "2147483648", js: 2147483648, exact: true },
  { name: "max_safe", erl: "9007199254740991", js: 9007199254740991, exact: true },
  { name: "over_safe", erl: "9007199254740992", js: 9007199254740992n, exact: true },
  { name: "negative_big", erl: "-18446744073709551616", js: -18446744073709551616n, exact: true },
  { name: "large_big", erl: "1 bsl 2100", js: 1n << 2100n, exact: true },
  { name: "float", erl: "1.5", js: 1.5, exact: true },
  { name: "negative_float", erl: "-0.25", js: -0.25, exact: true },
  { name: "huge_float", erl: "1.0e300", js: 1e300, exact: true },
  { name: "whole_float", erl: "1.0", js: 1, exact: false, decodeOnly: true },
  { name: "atom", erl: "ok", js: a("ok"), exact: true },
  { name: "elixir_module", erl: "'Elixir.Person'", js: a("Elixir.Person"), exact: true },
  { name: "node_name", erl: "'ts@localhost'", js: a("ts@localhost"), exact: true },
  { name: "unicode_atom", erl: "list_to_atom([26085,26412])", js: a("日本"), exact: true },
  { name: "true", erl: "true", js: true, exact: true },
  { name: "false", erl: "false", js: false, exact: true },
  { name: "nil", erl: "nil", js: null, exact: true },
  { name: "undefined_atom", erl: "undefined", js: a("undefined"), exact: true },
  { name: "empty_tuple", erl: "{}", js: new Tuple(), exact: true },
  { name: "ok_tuple", erl: "{ok, 1}", js: new Tuple([a("ok"), 1]), exact: true },
  {
    name: "large_tuple",
    erl: "list_to_tuple(lists:seq(1, 300))",
    js: new Tuple(Array.from({ length: 300 }, (_, i) => i + 1)),
    exact: true,
  },
  { name: "nil_list", erl: "[]", js: [], exact: true },
  { name: "byte_list", erl: "[1, 2, 3]", js: [1, 2, 3], exact: true },
  { name: "charlist", erl: "\"abc\"", js: [97, 98, 99], exact: true },
  { name: "list", erl: "[1000, -1, a, <<\"x\">>]", js: [1000, -1, a("a"), "x"], exact: true },
  { name: "nested_list", erl: "[[1], [2, [3]], []]", js: [[1], [2, [3]], []], exact: true },
  { name: "improper_list", erl: "[a | b]", js: new ImproperList([a("a")], a("b")), exact: true },
  { name: "improper_list_long", erl: "[1, 2 | 3]", js: new ImproperList([1, 2], 3), exact: true },
  { name: "binary", erl: "<<\"hello\">>", js: "hello", exact: true },
  { name: "empty_binary", erl: "<<>>", js: "", exact: true },
  { name: "utf8_binary", erl: "<<104, 233/utf8, 26085/utf8>>", js: "hé日", exact: true },
  { name: "bom_binary", erl: "<<239, 187, 191, 97>>", js: "\uFEFFa", exact: true },
  { name: "non_utf8_binary", erl: "<<255, 0, 1>>", js: new Uint8Array([255, 0, 1]), exact: true },
  { name: "bitstring", erl: "<<1:3>>", js: new BitString(new Uint8Array([0x20]), 3), exact: true },
  { name: "bitstring_long", erl: "<<1, 2:4>>", js: new BitString(new Uint8Array([1, 0x20]), 4), exact: true },
  { name: "empty_map", erl: "#{}", js: {}, exact: true },
  {
    name: "binary_key_map",
    erl: "#{<<\"a\">> => 1, <<\"b\">> => [2]}",
    js: { a: 1, b: [2] },
    exact: true,
  },
  { name: "atom_key_map", erl: "#{a => 1}", js: new Map([[a("a"), 1]]), exact: true },
  {
    name: "mixed_key_map",
    erl: "#{1 => 2, {x} => y}",
    js: new Map<Value, Value>([[1, 2], [new Tuple([a("x")]), a("y")]]),
    exact: true,
  },
  {
    name: "elixir_exception",
    erl: "#{'__exception__' => true, '__struct__' => 'Elixir.RuntimeError', message => <<\"boom\">>}",
    js: new Map<Value, Value>([[a("__exception__"), true], [a("__struct__"), a("Elixir.RuntimeError")], [a("message"), "boom"]]),
    exact: true,
  },
  {
    name: "nested",
    erl: "{ok, #{<<\"list\">> => [1, 2.5, <<\"s\">>], <<\"t\">> => {a, [b]}}}",
    js: new Tuple([a("ok"), { list: [1, 2.5, "s"], t: new Tuple([a("a"), [a("b")]]) }]),
    exact: true,
  },
  { name: "pid", erl: "list_to_pid(\"<0.85.0>\")", js: new Pid(local, 85, 0, 0), exact: true },
  { name: "reference", erl: "list_to_ref(\"#Ref<0.1.2.3>\")", js: new Ref(local, 0, [3, 2, 1]), exact: true },
  { name: "port", erl: "list_to_port(\"#Port<0.5>\")", js: new Port(local, 5n, 0), exact: true },
  { name: "export", erl: "fun lists:map/2", js: new ExportFun("lists", "map", 2), exact: true },
  { name: "alias_tag", erl: "[alias | list_to_ref(\"#Ref<0.1.2.3>\")]", js: new ImproperList([a("alias")], new Ref(local, 0, [3, 2, 1])), exact: true },
];

export const ENCODE_CASES: EncodeCase[] = [
  { name: "undefined", js: undefined, erl: "nil" },
  { name: "bigint_small", js: 5n, erl: "5" },
  { name: "date", js: new Date("2024-01-02T03:04:05.678Z"), erl: "<<\"2024-01-02T03:04:05.678Z\">>" },
  { name: "unsorted_object", js: { b: 1, a: 2 }, erl: "#{<<\"a\">> => 2, <<\"b\">> => 1}" },
  { name: "long_byte_list", js: Array.from({ length: 70000 }, () => 7), erl: "lists:duplicate(70000, 7)" },
  { name: "typed_array", js: new Uint16Array([1]), erl: "<<1, 0>>" },
  {
    name: "wide_port",
    js: new Port("x@y", 1n << 40n, 7),
    erl: "binary_to_term(<<131, 120, 119, 3, \"x@y\", 0,0,1,0,0,0,0,0, 0,0,0,7>>)",
  },
];

/**
 * A value written out with its classes, so that tests tell a Tuple from an
 * array and an Atom from a string (Bun's toStrictEqual does not).
 */
export function show(v: unknown): string {
  if (v instanceof Atom) return `:${v.name}`;
  if (v instanceof Tuple) return `{${[...v].map(show).join(", ")}}`;
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (v instanceof ImproperList) return `[${v.items.map(show).join(", ")} | ${show(v.tail)}]`;
  if (v instanceof Uint8Array) return `<<${v.join(",")}>>`;
  if (v instanceof BitString) return `<<${v.bytes.join(",")}:${v.bits}>>`;
  if (v instanceof Map) return `%Map{${[...v].map(([k, x]) => `${show(k)} => ${show(x)}`).join(", ")}}`;
  if (v instanceof Pid || v instanceof Port) return `${v}@${v.creation}`;
  if (v instanceof Ref) return `${v}@${v.creation}`;
  if (v instanceof ExportFun) return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return `%{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)} => ${show(x)}`).join(", ")}}`;
  }
  return String(v);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}
