/**
 * Time limits on promises, written once: a timeout is a `DOMException` named
 * "TimeoutError" (what `fetch` rejects with when its `AbortSignal.timeout`
 * fires), so callers test for it one way, with `isTimeoutError`. Any number
 * of milliseconds works, also beyond setTimeout's 2^31-1.
 *
 * Protocol code that is handed a `Clock` (lib/distribution) keeps using it,
 * so that its tests can move time by hand.
 *
 * @module
 */
import { after, MAX_TIMER_MS } from "./timer.ts";

/** True for the error a deadline (or `fetch` with `AbortSignal.timeout`) rejects with. */
export function isTimeoutError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "TimeoutError";
}

function checkTimeout(ms: number): void {
  if (!(ms >= 0)) throw new RangeError(`A timeout must be a non-negative number of milliseconds, got ${ms}`);
}

function timeoutError(ms: number): DOMException {
  return new DOMException(`Timed out after ${ms} ms`, "TimeoutError");
}

/**
 * A signal that aborts after `ms` milliseconds (its reason a "TimeoutError"
 * DOMException), or when `signal` aborts (with that signal's reason). `ms` of
 * `Infinity` sets no timer. Throws RangeError when `ms` is negative or NaN.
 *
 * A listener left on the result keeps Deno running until it fires: remove
 * it once the work is done, or hand the signal to an API that does (`fetch`).
 * So does a timer of more than 2^31-1 ms, on any runtime.
 */
export function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  checkTimeout(ms);
  if (ms === Infinity) return signal ?? new AbortController().signal;
  let timer: AbortSignal;
  if (ms > MAX_TIMER_MS) {
    const controller = new AbortController();
    after(ms, () => controller.abort(timeoutError(ms)));
    timer = controller.signal;
  } else {
    timer = AbortSignal.timeout(Math.ceil(ms));
  }
  return signal ? AbortSignal.any([timer, signal]) : timer;
}

/**
 * Settles as `promise` does, unless `ms` milliseconds pass first (then it
 * rejects with a "TimeoutError" DOMException: see `isTimeoutError`) or
 * `signal` aborts first (then it rejects with the signal's reason). The work
 * behind `promise` goes on either way; give it the same signal to stop it.
 * Throws RangeError like `timeoutSignal`. Leaves no timer or listener
 * behind once settled.
 */
export function deadline<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  checkTimeout(ms);
  if (signal?.aborted) return Promise.reject(signal.reason);
  // Nothing to race (a call without a signal): no promise of its own on the hot path.
  if (ms === Infinity && !signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal!.reason);
    const cancel = ms === Infinity ? undefined : after(Math.ceil(ms), () => reject(timeoutError(ms)));
    signal?.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => {
      cancel?.();
      signal?.removeEventListener("abort", abort);
    });
  });
}
