/**
 * CallResults and what erpc carries, both ways (erlang/otp:lib/kernel/src/
 * erpc.erl: `execute_call/4` ends its process with `{Ref, return, V}`,
 * `{Ref, throw, V}`, `{Ref, exit, R}` or `{Ref, error, R, Stack}`, and
 * `erpc:call` turns that into what the caller sees). A TypeScript callee
 * answers exactly what a BEAM callee would, so Elixir's error handling works
 * unchanged; an Erlang callee's answer becomes one of the seven kinds.
 *
 * @module
 */
import {
  type CallResult,
  exception,
  noconnection,
  ok,
  undef,
  type Value,
} from "../result.ts";
import { Atom, atom, atomText, ImproperList, Ref, termKey, Tuple, tuple } from "./wire_terms.ts";

/** A stack as Erlang writes one: `[{Module, Function, ArityOrArgs, Location}]`. */
function stackOf(module: Value, fn: Value, args: Value[]): Value[] {
  return [tuple(module, fn, args.length, [])];
}

/**
 * What an Elixir `raise` puts in the reason: a RuntimeError struct whose
 * message keeps the JavaScript error's name (`TypeError: x is undefined`):
 * Elixir has no struct for most JavaScript errors, and formatting one it
 * does not know would fail on the caller's side.
 */
function elixirException(name: string, message: string): Map<Value, Value> {
  return new Map<Value, Value>([
    [atom("__exception__"), true],
    [atom("__struct__"), atom("Elixir.RuntimeError")],
    [atom("message"), `${name}: ${message}`],
  ]);
}

/**
 * The reason `erpc:execute_call/4` would end with for `result`: `res` is
 * the caller's reference, `module`/`fn` the atoms as received (echoed
 * unchanged), `args` the arguments (for `undef`'s stack entry).
 */
export function erpcReason(res: Value, result: CallResult, module: Value, fn: Value, args: Value[]): Value {
  switch (result.kind) {
    case "ok":
      return tuple(res, atom("return"), result.value);
    case "undef":
      return tuple(res, atom("error"), atom("undef"), [tuple(module, fn, args, [])]);
    case "exception":
      // A JavaScript `throw` of a non-Error is Erlang's throw(Term).
      if (result.name === "Thrown") return tuple(res, atom("throw"), result.data ?? result.message);
      return tuple(res, atom("error"), elixirException(result.name, result.message), stackOf(module, fn, args));
    case "timeout":
      return tuple(res, atom("exit"), atom("timeout"));
    case "badarg":
      return tuple(res, atom("error"), atom("badarg"), stackOf(module, fn, args));
    case "noconnection":
    case "unauthorized":
      return tuple(res, atom("exit"), atom(result.kind));
  }
}

/** The exit reason of a process spawned to run `module:fn(args)` outside erpc: normal, or `{Reason, Stack}`. */
export function plainExitReason(result: CallResult, module: Value, fn: Value, args: Value[]): Value {
  if (result.kind === "ok") return atom("normal");
  const full = erpcReason(null, result, module, fn, args) as Tuple;
  return full.length === 4 ? tuple(full[2], full[3]) : full[2];
}

/** Erlang's `~p` of a reason, short: for exception messages. */
export function showTerm(x: unknown, depth = 0): string {
  if (depth > 6) return "…";
  if (Atom.is(x)) return `:${x.name}`;
  if (x instanceof Tuple) return `{${x.map((y) => showTerm(y, depth + 1)).join(", ")}}`;
  if (Array.isArray(x)) return `[${x.map((y) => showTerm(y, depth + 1)).join(", ")}]`;
  if (x instanceof ImproperList) return `[${x.items.map((y) => showTerm(y, depth + 1)).join(", ")} | ${showTerm(x.tail, depth + 1)}]`;
  if (typeof x === "string") return JSON.stringify(x);
  if (x instanceof Map) return `%{${[...x].map(([k, v]) => `${showTerm(k, depth + 1)} => ${showTerm(v, depth + 1)}`).join(", ")}}`;
  if (x === null) return "nil";
  if (typeof x === "object" && x !== null && !(x instanceof Uint8Array) && Object.getPrototypeOf(x) === Object.prototype) {
    return `%{${Object.entries(x).map(([k, v]) => `${JSON.stringify(k)} => ${showTerm(v, depth + 1)}`).join(", ")}}`;
  }
  return String(x);
}

/** A stack entry `{M, F, ArityOrArgs, Location}` as Elixir prints it: `Person.boom/0 (person.ex:4)`. */
function stackLine(e: unknown): string {
  if (!(e instanceof Tuple) || e.length !== 4 || !Array.isArray(e[3])) return showTerm(e);
  const [m, f, a, loc] = e as unknown as [unknown, unknown, unknown, unknown[]];
  const arity = Array.isArray(a) ? a.length : a;
  const at = (key: string) => loc.find((x) => x instanceof Tuple && atomText(x[0]) === key) as Tuple | undefined;
  const file = at("file")?.[1];
  const line = at("line")?.[1];
  const where = Array.isArray(file) ? ` (${String.fromCharCode(...(file as number[]))}${line === undefined ? "" : `:${line}`})` : "";
  return `${String(atomText(m)).replace(/^Elixir\./, "")}.${atomText(f)}/${arity}${where}`;
}

/** An error reason as an exception: an Elixir struct keeps its module and message; any other term is an ErlangError. */
function errorResult(reason: unknown, stack: unknown): CallResult {
  const fields = reason instanceof Map ? reason : undefined;
  const struct = fields && [...fields].find(([k]) => Atom.is(k, "__struct__"))?.[1];
  const message = fields && [...fields].find(([k]) => Atom.is(k, "message"))?.[1];
  const trace = Array.isArray(stack) ? stack.map((e) => `    ${stackLine(e)}`).join("\n") : undefined;
  if (Atom.is(struct) && fields?.size && [...fields].some(([k, v]) => Atom.is(k, "__exception__") && v === true)) {
    const name = struct.name.replace(/^Elixir\./, "");
    return exception(name, typeof message === "string" ? message : showTerm(reason), trace);
  }
  return exception("ErlangError", `Erlang error: ${showTerm(reason)}`, trace, reason as Value);
}

/**
 * The outcome of a call from the reason its process ended with (`res` the
 * reference the call was sent with, `module`/`fn` as called). `undef` only
 * when the missing function is the one called (an undef deeper down is an
 * exception, as erpc reports it).
 */
export function resultFromReason(node: string, reason: unknown, res: unknown, module: string, fn: string): CallResult {
  if (atomText(reason) === "noconnection") return noconnection(node);
  if (!(reason instanceof Tuple) || reason.length < 3 || !sameRef(reason[0], res)) {
    return exception("ErlangExit", `the process exited: ${showTerm(reason)}`, undefined, reason as Value);
  }
  const kind = atomText(reason[1]);
  if (kind === "return") return ok(reason[2]);
  if (kind === "throw") return exception("ErlangThrow", `uncaught throw: ${showTerm(reason[2])}`, undefined, reason[2]);
  if (kind === "exit") return exception("ErlangExit", `exit: ${showTerm(reason[2])}`, undefined, reason[2]);
  if (atomText(reason[2]) === "undef" && Array.isArray(reason[3])) {
    const top = reason[3][0];
    if (top instanceof Tuple && atomText(top[0]) === module && atomText(top[1]) === fn) return undef(module, fn);
  }
  return errorResult(reason[2], reason[3]);
}

function sameRef(a: unknown, b: unknown): boolean {
  return a instanceof Ref && b instanceof Ref && termKey(a) === termKey(b);
}
