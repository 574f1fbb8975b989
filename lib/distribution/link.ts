/**
 * One established connection to one peer, after the handshake: it sends
 * and dispatches frames and goes down exactly once. Its parts keep the
 * outgoing calls (`pending_calls.ts`), the incoming ones (`running_calls.ts`),
 * ticks (`ticker.ts`) and batched writes (`outbox.ts`). Like `dist_util`'s
 * connection process, it owns no socket of its own: it is handed a
 * `Transport` and a `Clock`.
 *
 * @module
 */
import { DEFAULT_LIMITS, type Limits } from "../codec/limits.ts";
import {
  badarg,
  type BadArg,
  type CallResult,
  DEFAULT_CALL_TIMEOUT_MS,
  noconnection,
  ok,
  timeout,
  type Value,
} from "../result.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { byteLength } from "../core/bytes.ts";
import { encodeFrameParts } from "./frame_codec.ts";
import type { CallFrame, Cast, Frame, PeerAddress } from "./frames.ts";
import type { Handoff } from "./channel.ts";
import { argsFailure, errorMessage, tooLargeFailure } from "./encode_failure.ts";
import type { NodeIdentity } from "./handshake.ts";
import type { LinkHandler } from "./link_handler.ts";
import { Inbound } from "./inbound.ts";
import { Outbox } from "./outbox.ts";
import { PendingCalls } from "./pending_calls.ts";
import { RunningCalls } from "./running_calls.ts";
import { Ticker } from "./ticker.ts";

export interface LinkOptions {
  self: NodeIdentity;
  peer: NodeIdentity;
  /** Erlang's net_ticktime: silence this long means down. Ticks go every quarter of it. */
  ticktimeMs: number;
  clock?: Clock;
  handler: LinkHandler;
  /** Called exactly once, with why the link went down. Must not throw. */
  onDown(reason: string): void;
  /**
   * Size and depth limits for incoming frames. The size is also the most
   * this link sends in one message: the peer enforces the same limit.
   */
  limits?: Limits;
  /** From `TransportChannel.release()`: frames that arrived right after the handshake. */
  handoff?: Handoff;
}

const CLOSE_NORMAL = 1000;
const CLOSE_PROTOCOL = 1002;

/**
 * Throws `RangeError` when `ticktimeMs` is not a positive finite number.
 * Nothing the peer does makes a method throw or a returned promise reject.
 */
export class Link {
  readonly peer: NodeIdentity;
  readonly self: NodeIdentity;
  #transport: Transport;
  #handler: LinkHandler;
  #onDown: (reason: string) => void;
  #maxMessageBytes: number;
  #inbound: Inbound;
  #ticker: Ticker;

  #downReason: string | undefined;
  #pending: PendingCalls;
  #outbox: Outbox;
  #running: RunningCalls;
  // Frames that must be processed before the transport's own, in order.
  #deferred: Frame[] | undefined;

  constructor(transport: Transport, options: LinkOptions) {
    const clock = options.clock ?? systemClock;
    this.#ticker = new Ticker(clock, options.ticktimeMs, {
      tick: () => this.#write({ type: "tick" }),
      silent: () =>
        this.#down(`tick timeout: no sign of life from ${this.peer.name} for ${options.ticktimeMs} ms`, true),
    });
    this.#transport = transport;
    this.#maxMessageBytes = (options.limits ?? DEFAULT_LIMITS).maxBytes;
    this.#inbound = new Inbound(options.peer.name, options.limits);
    this.#outbox = new Outbox(transport, clock, (err) => {
      this.#down(`sending to ${this.peer.name} failed: ${errorMessage(err)}`, false);
    });
    this.peer = options.peer;
    this.self = options.self;
    this.#pending = new PendingCalls(clock);
    this.#handler = options.handler;
    const maxReplyBytes = this.#maxMessageBytes;
    this.#running = new RunningCalls(options.peer.name, (r) => options.handler.call(r), (b) => this.#writeBytes(b), { maxReplyBytes });
    this.#onDown = options.onDown;

    if (options.handoff) {
      const { frames, down } = this.#inbound.handoff(options.handoff);
      // Processed on a microtask so that the mesh can register this link first.
      if (frames.length > 0 || down !== undefined) {
        this.#deferred = frames;
        queueMicrotask(() => {
          const frames = this.#deferred ?? [];
          this.#deferred = undefined;
          for (const f of frames) if (this.isUp) this.#dispatch(f);
          if (down !== undefined) this.#down(down, true, CLOSE_PROTOCOL);
        });
      }
    }
    transport.listen({
      message: (data) => this.#receive(data),
      close: (code, reason) =>
        this.#down(`connection to ${this.peer.name} closed (code ${code}${reason ? `: ${reason}` : ""})`, false),
    });
  }

  get isUp(): boolean {
    return this.#downReason === undefined;
  }

  /** Why the link went down; undefined while it is up. */
  get downReason(): string | undefined {
    return this.#downReason;
  }

  /** Undefined when a call or cast may be sent now; else when it may (senders that outrun the link wait). */
  writable(): Promise<void> | undefined {
    return this.isUp ? this.#outbox.writable() : undefined;
  }

  /** Outgoing calls still waiting for a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Calls `module.fn(...args)` on the peer. Never rejects: resolves with the
   * peer's result, `timeout` after `timeoutMs` (default 5000; `Infinity` for
   * none; the peer is sent `cancel`), `badarg` when the arguments cannot be
   * encoded, encode to more than the link's message limit, or the timeout
   * is not a non-negative number (nothing is sent; the link goes on),
   * or `noconnection` when the link is or goes down first. Rejects with
   * `signal.reason` when `signal` aborts first (the peer is sent `cancel`).
   */
  call(
    module: string,
    fn: string,
    args: Value[],
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<CallResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.isUp) return Promise.resolve(noconnection(this.peer.name, this.#downReason));
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
      return Promise.resolve(badarg(`timeout must be a non-negative number of milliseconds, got ${String(timeoutMs)}`));
    }
    const id = this.#pending.nextId();
    const bytes = this.#encodeRequest({ type: "call", id, module, function: fn, args, timeoutMs });
    if (!Array.isArray(bytes)) return Promise.resolve(bytes);
    // The peer is told to stop when this side stops waiting: at the timeout, or when `signal` aborts.
    const reply = this.#pending.wait(id, timeoutMs, () => {
      this.#cancel(id);
      return timeout(this.peer.name, timeoutMs);
    }, signal && { signal, abandon: () => this.#cancel(id) });
    this.#writeBytes(bytes);
    return reply;
  }

  /**
   * Sends `module.fn(...args)` to run on the peer without an answer. Returns
   * `ok(true)` once queued, `badarg` when the arguments cannot be encoded or
   * are over the link's message limit, `noconnection` when the link is down.
   */
  cast(module: string, fn: string, args: Value[]): CallResult {
    if (!this.isUp) return noconnection(this.peer.name, this.#downReason);
    const bytes = this.#encodeRequest({ type: "cast", module, function: fn, args });
    if (!Array.isArray(bytes)) return bytes;
    this.#writeBytes(bytes);
    return this.isUp ? ok(true) : noconnection(this.peer.name, this.#downReason);
  }

  /** Tells the peer which nodes this node knows (the transitive mesh). False when down. */
  sendPeers(nodes: PeerAddress[]): boolean {
    if (!this.isUp) return false;
    this.#write({ type: "peers", nodes });
    return this.isUp;
  }

  /** Says `bye` to the peer and closes the connection; `onDown(reason)` runs. A no-op when down. */
  close(reason: string): void {
    this.#down(reason, true, CLOSE_NORMAL);
  }

  // ---- sending ----

  /**
   * A call's or cast's bytes (as parts), or the badarg that says why its arguments
   * cannot be sent: only that call fails, on this side, and the link goes on.
   */
  #encodeRequest(f: CallFrame | Cast): Uint8Array[] | BadArg {
    let parts: Uint8Array[];
    try {
      parts = encodeFrameParts(f);
    } catch (err) {
      return badarg(argsFailure(f.module, f.function, this.peer.name, f.args, err));
    }
    const size = byteLength(parts);
    if (size <= this.#maxMessageBytes) return parts;
    return badarg(tooLargeFailure(`the arguments of ${f.module}.${f.function}`, size, this.#maxMessageBytes));
  }

  #cancel(id: number): void {
    this.#write({ type: "cancel", id });
  }

  #write(f: Frame): void {
    this.#writeBytes(encodeFrameParts(f));
  }

  #writeBytes(parts: Uint8Array[]): void {
    this.#ticker.sent();
    this.#outbox.push(parts);
  }

  // ---- receiving ----

  #receive(data: Uint8Array): void {
    if (!this.isUp) return;
    this.#ticker.received();
    const frames = this.#inbound.framesOf(data);
    if (typeof frames === "string") {
      this.#down(frames, true, CLOSE_PROTOCOL);
      return;
    }
    for (const frame of frames) {
      if (!this.isUp) return;
      if (this.#deferred) this.#deferred.push(frame);
      else this.#dispatch(frame);
    }
  }

  #dispatch(f: Frame): void {
    try {
      switch (f.type) {
        case "reply":
          // False for a late reply: its caller already has its timeout.
          this.#pending.settle(f.id, f.result);
          return;
        case "call":
          this.#running.run(f);
          return;
        case "cancel":
          this.#running.cancel(f.id, `${this.peer.name} cancelled the call (its timeout passed)`);
          return;
        case "cast":
          this.#handler.cast({ caller: this.peer.name, module: f.module, function: f.function, args: f.args });
          return;
        case "peers":
          this.#handler.peers(f.nodes);
          return;
        case "tick":
          return;
        case "bye":
          this.#down(`${this.peer.name} said bye: ${f.reason}`, false, CLOSE_NORMAL);
          return;
        case "refuse":
          this.#down(`${this.peer.name} refused the connection (${f.reason}): ${f.message}`, false);
          return;
        default:
          this.#down(`protocol error: ${this.peer.name} sent a ${f.type} frame after the handshake`, true, CLOSE_PROTOCOL);
      }
    } catch (err) {
      // A handler that throws must not take the transport callback with it.
      this.#down(`internal error handling a ${f.type} frame from ${this.peer.name}: ${errorMessage(err)}`, true, CLOSE_PROTOCOL);
    }
  }

  // ---- going down, once ----

  #down(reason: string, sayBye: boolean, code = CLOSE_NORMAL): void {
    if (this.#downReason !== undefined) return;
    this.#downReason = reason;
    this.#ticker.stop();
    this.#outbox.close(code, reason, sayBye);
    this.#pending.settleAll(noconnection(this.peer.name, reason));
    this.#running.abortAll(`the link to ${this.peer.name} went down: ${reason}`);
    this.#onDown(reason);
  }
}
