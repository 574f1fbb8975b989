/**
 * Frame-level access to one connection while the handshake runs: a message
 * channel over a `Transport`, with a time limit on every receive (on the
 * injected `Clock`, so tests can move time by hand). Until the peer's two
 * handshake frames have arrived, nothing it sends is trusted: a message over
 * `HANDSHAKE_MESSAGE_MAX` ends the channel before it is decoded. What comes
 * after them is kept as it arrived, for the link.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { decodeFrames, encodeFrame } from "./frame_codec.ts";
import { type Frame, FrameError } from "./frames.ts";

/** What a receive gives: the next frame, or why there is none. */
export type Received =
  | { kind: "frame"; frame: Frame }
  /** The connection closed; `message` has the close code and reason. */
  | { kind: "closed"; message: string }
  | { kind: "timeout"; timeoutMs: number }
  /** The peer sent bytes that are not a valid frame. */
  | { kind: "malformed"; error: FrameError };

/** Frame-level access to one connection during the handshake. */
export interface Channel {
  /** Sends a frame; a no-op once the connection is closed. May throw the codec's errors. */
  send(f: Frame): void;
  /**
   * The next frame, or why there is none: the connection closed,
   * `timeoutMs` passed, or the peer sent something that is not a frame
   * (every later receive says the same). Rejects only with a TypeError when
   * another receive is still waiting.
   */
  recv(timeoutMs: number): Promise<Received>;
}

/** What a `Link` must process first: what arrived after the handshake (frames, then raw messages). */
export type Handoff = { frames: Frame[]; messages: Uint8Array[]; down?: string };

/** The largest handshake message: a hello with the longest names is well under 1 KiB. */
export const HANDSHAKE_MESSAGE_MAX = 4096;

/** A handshake side receives two frames (hello and answer, or challenge and ack); then link messages may follow. */
const HANDSHAKE_FRAMES = 2;

/** Link messages kept for the link before the handshake has ended (the peer may send right after it). */
const EARLY_BYTES_MAX = 16 * 1024 * 1024;

export interface TransportChannel extends Channel {
  /**
   * Stops reading the transport and returns the frames that arrived but were
   * not received (the peer may send right after the handshake), and why the
   * connection is already unusable, if it is. Pass it to `new Link` as `handoff`.
   */
  release(): Handoff;
}

type Ended = Exclude<Received, { kind: "frame" | "timeout" }>;

/**
 * A `Channel` over a `Transport`: incoming messages are decoded (a batch
 * gives several frames) and queued; a message that does not decode ends the
 * channel as "malformed".
 */
export function channelOf(t: Transport, options: { clock?: Clock; limits?: Limits } = {}): TransportChannel {
  const clock = options.clock ?? systemClock;
  const queue: Frame[] = [];
  const early: Uint8Array[] = [];
  let earlyBytes = 0;
  let handshakeFrames = 0;
  let ended: Ended | undefined;
  let released = false;
  let waiter: ((r: Received) => void) | undefined;

  const decode = (data: Uint8Array) => {
    try {
      queue.push(...decodeFrames(data, options.limits));
    } catch (err) {
      const error = err instanceof FrameError ? err : new FrameError(String(err), { cause: err });
      ended = { kind: "malformed", error };
    }
  };
  const settle = () => {
    if (!waiter) return;
    // A receive after the handshake's own (a test playing a peer) reads on, in order.
    if (queue.length === 0 && early.length > 0) decode(early.shift()!);
    const next: Received | undefined = queue.length > 0 ? { kind: "frame", frame: queue.shift()! } : ended;
    if (!next) return;
    const w = waiter;
    waiter = undefined;
    w(next);
  };

  t.listen({
    message(data) {
      if (released || ended) return;
      if (handshakeFrames >= HANDSHAKE_FRAMES) {
        earlyBytes += data.length;
        if (earlyBytes <= EARLY_BYTES_MAX) early.push(data);
        else ended = { kind: "malformed", error: new FrameError(`more than ${EARLY_BYTES_MAX} bytes before the link started`) };
        return;
      }
      if (data.length > HANDSHAKE_MESSAGE_MAX) {
        const error = new FrameError(
          `a handshake message of ${data.length} bytes, over the limit of ${HANDSHAKE_MESSAGE_MAX}`,
        );
        ended = { kind: "malformed", error };
      } else {
        const before = queue.length;
        decode(data);
        handshakeFrames += queue.length - before;
      }
      settle();
    },
    close(code, reason) {
      if (released || ended) return;
      ended = { kind: "closed", message: `connection closed (code ${code}${reason ? `: ${reason}` : ""})` };
      settle();
    },
  });

  return {
    send(f) {
      t.send(encodeFrame(f));
    },
    recv(timeoutMs) {
      if (waiter) return Promise.reject(new TypeError("Only one recv may wait at a time"));
      return new Promise<Received>((resolve) => {
        const timer = clock.setTimeout(() => {
          waiter = undefined;
          resolve({ kind: "timeout", timeoutMs });
        }, Math.max(0, timeoutMs));
        waiter = (r) => {
          clock.clearTimeout(timer);
          resolve(r);
        };
        settle();
      });
    },
    release() {
      released = true;
      const frames = queue.splice(0);
      const messages = early.splice(0);
      if (!ended) return { frames, messages };
      const down = ended.kind === "malformed"
        ? `protocol error: malformed frame right after the handshake (${ended.error.message})`
        : ended.message;
      return { frames, messages, down };
    },
  };
}
