/**
 * Time limits on promises, written once, on `AbortSignal.timeout` and
 * `AbortSignal.any`: a timeout is a `DOMException` named "TimeoutError" (what
 * `fetch` rejects with when its `AbortSignal.timeout` fires), so callers test
 * for it one way, with `isTimeoutError`.
 *
 * Protocol code that is handed a `Clock` (lib/distribution) keeps using it,
 * so that its tests can move time by hand.
 *
 * @module
 */

/** True for the error a deadline (or `fetch` with `AbortSignal.timeout`) rejects with. */
export function isTimeoutError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "TimeoutError";
}

/**
 * A signal that aborts after `ms` milliseconds (its reason a "TimeoutError"
 * DOMException), or when `signal` aborts (with that signal's reason). `ms` of
 * `Infinity` sets no timer. Throws RangeError when `ms` is negative or NaN.
 *
 * A listener left on the result keeps Deno running until it fires: remove
 * it once the work is done, or hand the signal to an API that does (`fetch`).
 */
export function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  if (!(ms >= 0)) throw new RangeError(`A timeout must be a non-negative number of milliseconds, got ${ms}`);
  if (ms === Infinity) return signal ?? new AbortController().signal;
  const timer = AbortSignal.timeout(Math.ceil(ms));
  return signal ? AbortSignal.any([timer, signal]) : timer;
}

/**
 * Settles as `promise` does, unless `ms` milliseconds pass first (then it
 * rejects with a "TimeoutError" DOMException: see `isTimeoutError`) or
 * `signal` aborts first (then it rejects with the signal's reason). The work
 * behind `promise` goes on either way; give it the same signal to stop it.
 * Throws RangeError like `timeoutSignal`. Leaves no listener behind once
 * settled.
 */
export function deadline<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  const limit = timeoutSignal(ms, signal);
  if (limit.aborted) return Promise.reject(limit.reason);
  return new Promise<T>((resolve, reject) => {
    const expire = () => reject(limit.reason);
    limit.addEventListener("abort", expire, { once: true });
    promise.then(resolve, reject).finally(() => limit.removeEventListener("abort", expire));
  });
}
