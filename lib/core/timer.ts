/**
 * One timer for any delay: `setTimeout` takes a signed 32-bit delay and
 * fires at once for a longer one (a peer's call frame may carry a deadline
 * of weeks), so longer delays are chained.
 *
 * @module
 */

/** The longest delay `setTimeout` honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `fn` once after `ms` milliseconds, however many; returns the function
 * that cancels it (a no-op once it has run). A timer keeps the process
 * running until it fires or is cancelled.
 */
export function after(ms: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
