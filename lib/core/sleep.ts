/**
 * Waiting, written once.
 *
 * @module
 */
import { after } from "./timer.ts";

/**
 * Resolves after `ms` milliseconds (also beyond 2^31-1). Rejects with
 * `signal.reason` as soon as `signal` aborts (at once if it already has),
 * and then clears its timer.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = after(ms, () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    });
    signal?.addEventListener("abort", abort, { once: true });
  });
}
