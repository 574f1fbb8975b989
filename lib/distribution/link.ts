/**
 * One established connection to one peer, after the handshake: pending
 * outgoing calls, running incoming calls, ticks, and going down exactly once.
 * Like `dist_util`'s connection process, it owns no socket of its own: it is
 * handed a `Transport` and a `Clock`.
 *
 * @module
 */
import { CodecError, findUnencodable } from "../codec/errors.ts";
import type { Limits } from "../codec/limits.ts";
import {
  badarg,
  type CallResult,
  exception,
  noconnection,
  ok,
  timeout,
  type Value,
} from "../result.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { decodeFrames, encodeBatch, encodeFrame } from "./frame_codec.ts";
import type { Frame, PeerAddress } from "./frames.ts";
import type { Handoff } from "./channel.ts";
import type { NodeIdentity } from "./handshake.ts";

/** Erlang's `rpc`/`erpc` default. */
export const DEFAULT_CALL_TIMEOUT_MS = 5000;

/** A call that arrived from the peer. `signal` fires on cancel or when the link goes down. */
export type IncomingCall = {
  caller: string;
  module: string;
  function: string;
  args: Value[];
  /** `Infinity` when the caller set no deadline. */
  timeoutMs: number;
  signal: AbortSignal;
};

export type IncomingCast = { caller: string; module: string; function: string; args: Value[] };

/** What the node does with what the peer sends. */
export interface LinkHandler {
  /** Should resolve, not reject; a rejection is answered as an exception. */
  call(req: IncomingCall): Promise<CallResult>;
  cast(req: IncomingCast): void;
  peers(nodes: PeerAddress[]): void;
}

export interface LinkOptions {
  self: NodeIdentity;
  peer: NodeIdentity;
  /** Erlang's net_ticktime: silence this long means down. Ticks go every quarter of it. */
  ticktimeMs: number;
  clock?: Clock;
  handler: LinkHandler;
  /** Called exactly once, with why the link went down. Must not throw. */
  onDown(reason: string): void;
  /** Size and depth limits for incoming frames. */
  limits?: Limits;
  /** From `TransportChannel.release()`: frames that arrived right after the handshake. */
  handoff?: Handoff;
}

type Pending = { resolve(r: CallResult): void; timer: unknown };

const CLOSE_NORMAL = 1000;
const CLOSE_PROTOCOL = 1002;

function isCodecError(err: unknown): boolean {
  return err instanceof CodecError || (err as Error | undefined)?.name === "CodecError";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Throws `RangeError` when `ticktimeMs` is not a positive finite number.
 * Nothing the peer does makes a method throw or a returned promise reject.
 */
export class Link {
  readonly peer: NodeIdentity;
  readonly self: NodeIdentity;
  #transport: Transport;
  #clock: Clock;
  #handler: LinkHandler;
  #onDown: (reason: string) => void;
  #limits?: Limits;
  #ticktimeMs: number;

  #downReason: string | undefined;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #outbox: Uint8Array[] = [];
  #running = new Map<number, AbortController>();
  // Frames that must be processed before the transport's own, in order.
  #deferred: Frame[] | undefined;

  #tickTimer: unknown;
  #sentInPeriod = false;
  #receivedInPeriod = false;
  #quietPeriods = 0;

  constructor(transport: Transport, options: LinkOptions) {
    if (!(options.ticktimeMs > 0) || !Number.isFinite(options.ticktimeMs)) {
      throw new RangeError(`ticktimeMs must be a positive number of milliseconds, got ${options.ticktimeMs}`);
    }
    this.#transport = transport;
    this.peer = options.peer;
    this.self = options.self;
    this.#clock = options.clock ?? systemClock;
    this.#handler = options.handler;
    this.#onDown = options.onDown;
    this.#limits = options.limits;
    this.#ticktimeMs = options.ticktimeMs;

    const handoff = options.handoff;
    if (handoff && (handoff.frames.length > 0 || handoff.down !== undefined)) {
      // Processed on a microtask so that the mesh can register this link first.
      this.#deferred = handoff.frames.slice();
      queueMicrotask(() => {
        const frames = this.#deferred ?? [];
        this.#deferred = undefined;
        for (const f of frames) if (this.isUp) this.#dispatch(f);
        if (handoff.down !== undefined) this.#down(handoff.down, true, CLOSE_PROTOCOL);
      });
    }
    this.#armTick();
    transport.listen({
      message: (data) => this.#receive(data),
      close: (code, reason) =>
        this.#down(
          `connection to ${this.peer.name} closed (code ${code}${reason ? `: ${reason}` : ""})`,
          false,
        ),
    });
  }

  get isUp(): boolean {
    return this.#downReason === undefined;
  }

  /** Why the link went down; undefined while it is up. */
  get downReason(): string | undefined {
    return this.#downReason;
  }

  /** Outgoing calls still waiting for a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Calls `module.fn(...args)` on the peer. Never rejects: resolves with the
   * peer's result, `timeout` after `timeoutMs` (default 5000; `Infinity` for
   * none; the peer is sent `cancel`), `badarg` when the arguments cannot be
   * encoded or the timeout is not a non-negative number (nothing is sent),
   * or `noconnection` when the link is or goes down first.
   */
  call(module: string, fn: string, args: Value[], options: { timeoutMs?: number } = {}): Promise<CallResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (!this.isUp) return Promise.resolve(noconnection(this.peer.name, this.#downReason));
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
      return Promise.resolve(badarg(`timeout must be a non-negative number of milliseconds, got ${String(timeoutMs)}`));
    }
    const id = this.#nextId++;
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({ type: "call", id, module, function: fn, args, timeoutMs });
    } catch (err) {
      return Promise.resolve(badarg(this.#unencodable(`the arguments of ${module}.${fn}`, err, args)));
    }
    return new Promise<CallResult>((resolve) => {
      const entry: Pending = { resolve, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        entry.timer = this.#clock.setTimeout(() => {
          if (this.#pending.get(id) !== entry) return;
          this.#pending.delete(id);
          this.#write({ type: "cancel", id });
          resolve(timeout(this.peer.name, timeoutMs));
        }, timeoutMs);
      }
      this.#pending.set(id, entry);
      this.#writeBytes(bytes);
    });
  }

  /**
   * Sends `module.fn(...args)` to run on the peer without an answer. Returns
   * `ok(true)` once queued, `badarg` when the arguments cannot be encoded,
   * `noconnection` when the link is down.
   */
  cast(module: string, fn: string, args: Value[]): CallResult {
    if (!this.isUp) return noconnection(this.peer.name, this.#downReason);
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({ type: "cast", module, function: fn, args });
    } catch (err) {
      return badarg(this.#unencodable(`the arguments of ${module}.${fn}`, err, args));
    }
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

  #unencodable(what: string, err: unknown, args: unknown): string {
    if (!isCodecError(err)) return `${what} could not be encoded: ${errorMessage(err)}`;
    // The frame wraps the arguments; name the culprit by its place in them instead.
    const precise = findUnencodable(args, "args") ?? err;
    return `${what} cannot be sent to ${this.peer.name}: ${errorMessage(precise)}`;
  }

  #write(f: Frame): void {
    this.#writeBytes(encodeFrame(f));
  }

  /**
   * Queues a frame; the queue goes out once the current burst of work is
   * done (a microtask later), as one message: under load, one write carries
   * many replies instead of one write each.
   */
  #writeBytes(bytes: Uint8Array): void {
    this.#sentInPeriod = true;
    this.#outbox.push(bytes);
    if (this.#outbox.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const frames = this.#outbox;
    if (frames.length === 0) return;
    this.#outbox = [];
    try {
      this.#transport.send(frames.length === 1 ? frames[0] : encodeBatch(frames));
    } catch (err) {
      this.#down(`sending to ${this.peer.name} failed: ${errorMessage(err)}`, false);
    }
  }

  // ---- receiving ----

  #receive(data: Uint8Array): void {
    if (!this.isUp) return;
    this.#receivedInPeriod = true;
    let frames: Frame[];
    try {
      frames = decodeFrames(data, this.#limits);
    } catch (err) {
      this.#down(`protocol error: ${this.peer.name} sent a malformed frame (${errorMessage(err)})`, true, CLOSE_PROTOCOL);
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
        case "reply": {
          const entry = this.#pending.get(f.id);
          if (!entry) return; // late: the caller already has its timeout
          this.#pending.delete(f.id);
          if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
          entry.resolve(f.result);
          return;
        }
        case "call":
          this.#runCall(f);
          return;
        case "cancel": {
          const ac = this.#running.get(f.id);
          if (!ac) return;
          this.#running.delete(f.id);
          ac.abort(new DOMException(`${this.peer.name} cancelled the call (its timeout passed)`, "AbortError"));
          return;
        }
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

  #runCall(f: Extract<Frame, { type: "call" }>): void {
    const ac = new AbortController();
    this.#running.get(f.id)?.abort(new DOMException("superseded by a call with the same id", "AbortError"));
    this.#running.set(f.id, ac);
    const req: IncomingCall = {
      caller: this.peer.name,
      module: f.module,
      function: f.function,
      args: f.args,
      timeoutMs: f.timeoutMs,
      signal: ac.signal,
    };
    Promise.resolve()
      .then(() => this.#handler.call(req))
      .catch((err: unknown) =>
        exception((err as Error)?.name ?? "Error", errorMessage(err), (err as Error)?.stack)
      )
      .then((result) => {
        // Cancelled or down: the caller no longer waits for this id.
        if (this.#running.get(f.id) !== ac) return;
        this.#running.delete(f.id);
        this.#reply(f, result);
      });
  }

  #reply(f: Extract<Frame, { type: "call" }>, result: CallResult): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({ type: "reply", id: f.id, result });
    } catch (err) {
      const culprit = result.kind === "ok"
        ? findUnencodable(result.value, "value")
        : result.kind === "exception" ? findUnencodable(result.data, "data") : undefined;
      const why = isCodecError(err)
        ? `${f.module}.${f.function} returned a value that cannot cross the wire: ${errorMessage(culprit ?? err)}`
        : `the result of ${f.module}.${f.function} could not be encoded: ${errorMessage(err)}`;
      bytes = encodeFrame({ type: "reply", id: f.id, result: exception("EncodeError", why) });
    }
    this.#writeBytes(bytes);
  }

  // ---- ticks ----

  #armTick(): void {
    this.#tickTimer = this.#clock.setTimeout(() => this.#onTick(), this.#ticktimeMs / 4);
  }

  #onTick(): void {
    if (!this.isUp) return;
    if (this.#receivedInPeriod) this.#quietPeriods = 0;
    else this.#quietPeriods++;
    this.#receivedInPeriod = false;
    // Four quiet quarters: silent for at least ticktime (and under 1.25 × ticktime).
    if (this.#quietPeriods >= 4) {
      this.#down(
        `tick timeout: no sign of life from ${this.peer.name} for ${this.#ticktimeMs} ms`,
        true,
        CLOSE_NORMAL,
      );
      return;
    }
    if (!this.#sentInPeriod) this.#write({ type: "tick" });
    this.#sentInPeriod = false;
    if (this.isUp) this.#armTick();
  }

  // ---- going down, once ----

  #down(reason: string, sayBye: boolean, code = CLOSE_NORMAL): void {
    if (this.#downReason !== undefined) return;
    this.#downReason = reason;
    this.#clock.clearTimeout(this.#tickTimer);
    if (sayBye) {
      // Replies already queued go before the bye.
      this.#flush();
      try {
        this.#transport.send(encodeFrame({ type: "bye", reason }));
      } catch {
        // Best effort: the peer learns from the close instead.
      }
    }
    try {
      // The transport cuts the reason to fit a close frame; `bye` carried all of it.
      this.#transport.close(code, reason);
    } catch {
      // Already closed.
    }
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const p of pending) {
      if (p.timer !== undefined) this.#clock.clearTimeout(p.timer);
      p.resolve(noconnection(this.peer.name, reason));
    }
    const abortReason = new DOMException(`the link to ${this.peer.name} went down: ${reason}`, "AbortError");
    for (const ac of running) ac.abort(abortReason);
    this.#onDown(reason);
  }
}
