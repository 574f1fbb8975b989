/**
 * Time, as protocol code sees it. Links and handshakes are handed a `Clock`
 * so that tests can drive ticks and timeouts without sleeping.
 *
 * @module
 */

export interface Clock {
  /** Milliseconds on a monotonic-enough scale; only differences matter. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; a no-op for a handle that already fired or was cleared. */
  clearTimeout(handle: unknown): void;
}

// Timers take a signed 32-bit delay; anything longer fires at once unless chained.
const MAX_DELAY = 2 ** 31 - 1;

class LongTimer {
  timer: ReturnType<typeof globalThis.setTimeout> | undefined;
}

function longTimeout(fn: () => void, ms: number): LongTimer {
  const handle = new LongTimer();
  const arm = (left: number) => {
    handle.timer = globalThis.setTimeout(
      () => (left > MAX_DELAY ? arm(left - MAX_DELAY) : fn()),
      Math.min(left, MAX_DELAY),
    );
  };
  arm(ms);
  return handle;
}

/** The real clock: `performance.now()` (or `Date.now()`) and the global timers. */
export const systemClock: Clock = {
  now: typeof performance !== "undefined" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now(),
  setTimeout: (fn, ms) => (ms > MAX_DELAY ? longTimeout(fn, ms) : globalThis.setTimeout(fn, ms)),
  clearTimeout(handle) {
    if (handle instanceof LongTimer) {
      globalThis.clearTimeout(handle.timer);
    } else {
      globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
    }
  },
};
