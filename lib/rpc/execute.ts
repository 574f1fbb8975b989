/**
 * Runs one module function for a call: the only place that catches what
 * user functions throw. Every outcome is a CallResult.
 *
 * @module
 */
import { encode } from "../codec/cbor_encode.ts";
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { LazyAbort } from "../core/lazy_abort.ts";
import { type CallResult, exception, ok, timeout, undef, type Value } from "../result.ts";
import type { CallContext, NodeApi } from "./context.ts";
import type { Modules } from "./modules.ts";

/** Where calls run: the same for every call a node serves. */
export interface Host {
  /** This node's name. */
  self: string;
  /** `this.rpc` for the function. */
  api: NodeApi;
}

export interface ExecuteRequest {
  module: string;
  function: string;
  args: Value[];
  caller: string;
  /** `Infinity` for no deadline. */
  timeoutMs: number;
  /** Aborts the call from outside (a `cancel` frame, a lost link); read only if the function reads its own. */
  readonly signal?: AbortSignal;
}

/** A called function's `this`; its signal is made when first read. */
class Context implements CallContext {
  readonly self: string;
  readonly caller: string;
  readonly rpc: NodeApi;
  readonly #abort: LazyAbort;

  constructor(host: Host, caller: string, abort: LazyAbort) {
    this.self = host.self;
    this.caller = caller;
    this.rpc = host.api;
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

function encodable(data: unknown): Value | undefined {
  if (data === undefined) return undefined;
  try {
    encode(data);
    return data as Value;
  } catch {
    return undefined;
  }
}

/** The stack as far as the user's code: the frames of meshrpc's own dispatch say nothing to the caller. */
function userStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split("\n");
  const cut = lines.findIndex((l) => /\bexecute\.ts\b|\bat execute\b|\$bunfs/.test(l));
  return (cut > 0 ? lines.slice(0, cut) : lines).join("\n");
}

/** What a throw becomes; `data` is kept only when it can cross the wire. */
export function exceptionOf(thrown: unknown): CallResult {
  if (thrown instanceof Error) {
    return exception(thrown.name, thrown.message, userStack(thrown.stack), encodable((thrown as { data?: unknown }).data));
  }
  // Erlang's `throw(Term)`: a value that is not an Error.
  return exception("Thrown", typeof thrown === "string" ? thrown : String(thrown), undefined, encodable(thrown));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * Runs `module.function(...args)` with `this` bound to its context. Gives
 * `undef` when it does not exist, `exception` when it throws or rejects,
 * `timeout` when it outlives `timeoutMs` (its `this.signal` is aborted then),
 * `ok` otherwise. Never throws, and a promise it returns never rejects.
 *
 * A function that returns a value, not a promise, is answered at once (no
 * promise, no timer: most calls, and every cast of a counter). Most
 * functions never read `this.signal`: it is made when first read (aborted
 * already if the call was cancelled or timed out by then).
 */
export function execute(modules: Modules, host: Host, req: ExecuteRequest): CallResult | Promise<CallResult> {
  const fn = modules.lookup(req.module, req.function);
  if (!fn) return undef(req.module, req.function);

  const abort = new LazyAbort(req);
  const ctx = new Context(host, req.caller, abort);
  let value: unknown;
  try {
    value = fn.apply(ctx, req.args);
  } catch (thrown) {
    abort.dispose();
    return exceptionOf(thrown);
  }
  if (!isThenable(value)) {
    abort.dispose();
    return ok(value as Value);
  }
  return settle(Promise.resolve(value).then((v) => ok(v as Value), exceptionOf), host.self, req.timeoutMs, abort);
}

/** What a returned promise comes to, unless the call's deadline passes first. */
async function settle(run: Promise<CallResult>, self: string, timeoutMs: number, abort: LazyAbort): Promise<CallResult> {
  try {
    // `run` never rejects: the one rejection is the deadline's (none for a caller that set none).
    return await deadline(run, Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs) : Infinity);
  } catch (err) {
    if (!isTimeoutError(err)) throw err;
    // The reason AbortSignal.timeout gives: a DOMException named TimeoutError.
    abort.abort(new DOMException(`Call timed out after ${timeoutMs} ms`, "TimeoutError"));
    return timeout(self, timeoutMs);
  } finally {
    abort.dispose();
  }
}
