/**
 * The outcome of every call, as in Erlang's erpc: exactly one of these kinds.
 * The union travels unchanged on links and on the control plane; only the
 * edges (HTTP, CLI, the library's `call`) translate it.
 *
 * @module
 */
import type { Term } from "./core/terms.ts";

/**
 * A value that can cross the wire (see `lib/codec/`). `Term` is the Erlang
 * values with no JavaScript equivalent (atoms, tuples, pids, ...; `lib/core/terms.ts`).
 */
export type Value =
  | Term
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Uint8Array
  | Date
  | Value[]
  | Map<Value, Value>
  | { [key: string]: Value };

/** The function returned `value`. */
export type Ok<T = Value> = { kind: "ok"; value: T };
/** The function threw (or rejected): the error's name, message, stack and encodable `data`. */
export type Exception = {
  kind: "exception";
  name: string;
  message: string;
  stack?: string;
  data?: Value;
};
/** The node has no such module or function. */
export type Undef = { kind: "undef"; module: string; function: string };
/** The node is unknown, unreachable, or was lost: the function may or may not have been applied. */
export type NoConnection = { kind: "noconnection"; node: string; reason?: string };
/** No answer in time: the function may or may not have been applied. */
export type Timeout = { kind: "timeout"; node: string; timeoutMs: number };
/**
 * How long a call waits for its answer when the caller says nothing. 5000 ms
 * is meshrpc's choice (the default of Erlang's `gen_server:call/2`): Erlang's
 * `erpc:call/4` and `rpc:call/4` wait forever (`infinity`) by default.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 5000;
/** The call was malformed (names, arguments, timeout): nothing was sent. */
export type BadArg = { kind: "badarg"; message: string };
/** HTTP only: the bearer cookie was missing or wrong. */
export type Unauthorized = { kind: "unauthorized" };

/** One node's outcome in a multicall (or a load on several nodes). */
export interface NodeResult {
  /** The node, as given. */
  node: string;
  /** Its one outcome. */
  result: CallResult;
}

/** Every outcome but `ok`. */
export type Failure = Exception | Undef | NoConnection | Timeout | BadArg | Unauthorized;
/** The one outcome of a call, told apart by `kind`. */
export type CallResult<T = Value> = Ok<T> | Failure;
/** `ok`, `exception`, `undef`, `noconnection`, `timeout`, `badarg` or `unauthorized`. */
export type Kind = CallResult["kind"];

/** Every kind, in the order of SPEC §4. */
export const KINDS = [
  "ok",
  "exception",
  "undef",
  "noconnection",
  "timeout",
  "badarg",
  "unauthorized",
] as const satisfies readonly Kind[];

export function ok<T>(value: T): Ok<T> {
  return { kind: "ok", value };
}

export function exception(name: string, message: string, stack?: string, data?: Value): Exception {
  const e: Exception = { kind: "exception", name, message };
  if (stack !== undefined) e.stack = stack;
  if (data !== undefined) e.data = data;
  return e;
}

export function undef(module: string, fn: string): Undef {
  return { kind: "undef", module, function: fn };
}

export function noconnection(node: string, reason?: string): NoConnection {
  return reason === undefined ? { kind: "noconnection", node } : { kind: "noconnection", node, reason };
}

export function timeout(node: string, timeoutMs: number): Timeout {
  return { kind: "timeout", node, timeoutMs };
}

export function badarg(message: string): BadArg {
  return { kind: "badarg", message };
}

export function unauthorized(): Unauthorized {
  return { kind: "unauthorized" };
}

/** One line a person can read, for logs, the CLI and `RpcError.message`. */
export function describe(r: Failure): string {
  switch (r.kind) {
    case "exception":
      return `${r.name}: ${r.message}`;
    case "undef":
      return `undef: ${r.module}.${r.function} is not defined there; check the spelling, or load the module (meshrpc load FILE --node NODE)`;
    case "noconnection":
      return r.reason
        ? `noconnection: ${r.node}: ${r.reason}`
        : `noconnection: cannot reach ${r.node}; check that it runs (meshrpc names HOST) with the same cookie as this node`;
    case "timeout":
      return `timeout: ${r.node} did not answer within ${r.timeoutMs} ms; the function may or may not have run. Raise --timeout if it needs longer`;
    case "badarg":
      return `badarg: ${r.message}`;
    case "unauthorized":
      return "unauthorized: missing or wrong credentials; send Authorization: Bearer <cookie>";
  }
}

/**
 * What the library's `call` throws: one error class that carries the failed
 * result, so `err.result.kind` tells the cases apart.
 */
export class RpcError extends Error {
  /** Always "RpcError". */
  override name = "RpcError";
  /** The failed outcome. */
  readonly result: Failure;
  /** @ignore Thrown by the library's calls. */
  constructor(result: Failure, options?: ErrorOptions) {
    super(describe(result), options);
    this.result = result;
  }
  /** `result.kind`. */
  get kind(): Failure["kind"] {
    return this.result.kind;
  }
}

/** A closed-union guard for results that came from outside (a link, a socket). */
export function isCallResult(x: unknown): x is CallResult {
  if (typeof x !== "object" || x === null) return false;
  const kind = (x as { kind?: unknown }).kind;
  return typeof kind === "string" && (KINDS as readonly string[]).includes(kind);
}
