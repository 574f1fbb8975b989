/**
 * The calls a peer made that run on this node, by the peer's call id: each
 * gets an `AbortSignal` that fires when the peer cancels it or the link goes
 * down, and only a call that is still current gets its reply sent.
 *
 * @module
 */
import { byteLength } from "../core/bytes.ts";
import { LazyAbort } from "../core/lazy_abort.ts";
import { type CallResult, exception, type Value } from "../result.ts";
import { errorMessage, resultFailure, tooLargeFailure } from "./encode_failure.ts";
import { encodeFrameParts } from "./frame_codec.ts";
import type { CallFrame } from "./frames.ts";
import type { IncomingCall } from "./link_handler.ts";

export class RunningCalls {
  #calls = new Map<number, LazyAbort>();
  #peer: string;
  #serve: (req: IncomingCall) => CallResult | Promise<CallResult>;
  #reply: (parts: Uint8Array[]) => void;
  #maxReplyBytes: number;

  /**
   * `serve` runs a call (a rejection is answered as an exception); `reply`
   * sends an encoded reply frame (its parts), never larger than `maxReplyBytes`.
   */
  constructor(
    peer: string,
    serve: (req: IncomingCall) => CallResult | Promise<CallResult>,
    reply: (parts: Uint8Array[]) => void,
    options: { maxReplyBytes: number },
  ) {
    this.#peer = peer;
    this.#serve = serve;
    this.#reply = reply;
    this.#maxReplyBytes = options.maxReplyBytes;
  }

  /**
   * Runs the call, then replies unless it was cancelled, superseded by a
   * call with the same id, or aborted by the link going down (its caller no
   * longer waits). A result that cannot be encoded is answered as an
   * `EncodeError` exception that says why, and one over the link's message
   * limit as a `ResultTooLarge` exception: that call fails, the link goes on.
   */
  run(f: CallFrame): void {
    const ac = new LazyAbort();
    this.#calls.get(f.id)?.abort(new DOMException("superseded by a call with the same id", "AbortError"));
    this.#calls.set(f.id, ac);
    const req = new Incoming(this.#peer, f, ac);
    let served: CallResult | Promise<CallResult>;
    try {
      served = this.#serve(req);
    } catch (err) {
      served = Promise.reject(err);
    }
    if (!(served instanceof Promise)) return this.#done(f, ac, served);
    served
      .catch((err: unknown) => exception((err as Error)?.name ?? "Error", errorMessage(err), (err as Error)?.stack))
      .then((result) => this.#done(f, ac, result));
  }

  // Replies, unless the call was cancelled or superseded meanwhile.
  #done(f: CallFrame, ac: LazyAbort, result: CallResult): void {
    if (this.#calls.get(f.id) !== ac) return;
    this.#calls.delete(f.id);
    this.#reply(encodeReply(f, result, this.#maxReplyBytes));
  }

  /** Aborts call `id` with an AbortError saying `why`; a no-op for an id that is not running. */
  cancel(id: number, why: string): void {
    const ac = this.#calls.get(id);
    if (!ac) return;
    this.#calls.delete(id);
    ac.abort(new DOMException(why, "AbortError"));
  }

  /** Aborts every running call with an AbortError saying `why` (the link went down). */
  abortAll(why: string): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    const reason = new DOMException(why, "AbortError");
    for (const ac of calls) ac.abort(reason);
  }
}

/** A call as the node serves it; its `signal` is made only if the function asks for it. */
class Incoming implements IncomingCall {
  readonly caller: string;
  readonly module: string;
  readonly function: string;
  readonly args: Value[];
  readonly timeoutMs: number;
  readonly #abort: LazyAbort;

  constructor(caller: string, f: CallFrame, abort: LazyAbort) {
    this.caller = caller;
    this.module = f.module;
    this.function = f.function;
    this.args = f.args;
    this.timeoutMs = f.timeoutMs;
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

function encodeReply(f: CallFrame, result: CallResult, maxBytes: number): Uint8Array[] {
  let parts: Uint8Array[];
  try {
    parts = encodeFrameParts({ type: "reply", id: f.id, result });
  } catch (err) {
    const why = resultFailure(f.module, f.function, result, err);
    return encodeFrameParts({ type: "reply", id: f.id, result: exception("EncodeError", why) });
  }
  const size = byteLength(parts);
  if (size <= maxBytes) return parts;
  const what = result.kind === "ok" ? `the value ${f.module}.${f.function} returned` : `the failure of ${f.module}.${f.function}`;
  const why = tooLargeFailure(what, size, maxBytes);
  return encodeFrameParts({ type: "reply", id: f.id, result: exception("ResultTooLarge", why) });
}
