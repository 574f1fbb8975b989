/**
 * Frame-level access to one connection while the handshake runs: a message
 * channel over a `Transport`, with a time limit on every receive (on the
 * injected `Clock`, so tests can move time by hand).
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

/** What a `Link` must process first: frames that arrived after the handshake. */
export type Handoff = { frames: Frame[]; down?: string };

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
  let ended: Ended | undefined;
  let released = false;
  let waiter: ((r: Received) => void) | undefined;

  const settle = () => {
    if (!waiter) return;
    const next: Received | undefined = queue.length > 0 ? { kind: "frame", frame: queue.shift()! } : ended;
    if (!next) return;
    const w = waiter;
    waiter = undefined;
    w(next);
  };

  t.listen({
    message(data) {
      if (released || ended) return;
      try {
        queue.push(...decodeFrames(data, options.limits));
      } catch (err) {
        const error = err instanceof FrameError ? err : new FrameError(String(err), { cause: err });
        ended = { kind: "malformed", error };
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
      if (!ended) return { frames };
      const down = ended.kind === "malformed"
        ? `protocol error: malformed frame right after the handshake (${ended.error.message})`
        : ended.message;
      return { frames, down };
    },
  };
}
