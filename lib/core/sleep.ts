/**
 * Waiting, written once.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds. Rejects with `signal.reason` as soon as
 * `signal` aborts (at once if it already has), and then clears its timer.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}
