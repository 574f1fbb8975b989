/**
 * Time, as protocol code sees it. Links and handshakes are handed a `Clock`
 * so that tests can drive ticks and timeouts without sleeping.
 *
 * @module
 */
import { after, MAX_TIMER_MS } from "../core/timer.ts";

export interface Clock {
  /** Milliseconds on a monotonic-enough scale; only differences matter. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; a no-op for a handle that already fired or was cleared. */
  clearTimeout(handle: unknown): void;
  /** Runs `fn` once the work of this turn of the event loop is done (after its I/O and promises). */
  soon(fn: () => void): void;
}

/** What `systemClock` gives for a delay over `MAX_TIMER_MS`: `after`'s cancel function. */
class LongTimer {
  constructor(readonly cancel: () => void) {}
}

/** The real clock: `performance.now()` (or `Date.now()`) and the global timers. */
export const systemClock: Clock = {
  now: typeof performance !== "undefined" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now(),
  // The hot path (ticks, call deadlines) keeps the plain timer; longer delays are chained.
  setTimeout: (fn, ms) => (ms > MAX_TIMER_MS ? new LongTimer(after(ms, fn)) : globalThis.setTimeout(fn, ms)),
  clearTimeout(handle) {
    if (handle instanceof LongTimer) handle.cancel();
    else globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
  soon: (fn) => void setImmediate(fn),
};
