/**
 * A link's outgoing calls that wait for their reply, by id, each with its
 * own deadline (all on one timer of the link's `Clock`: `deadlines.ts`).
 *
 * @module
 */
import type { CallResult } from "../result.ts";
import type { Clock } from "./clock.ts";
import { type Deadline, Deadlines } from "./deadlines.ts";

type Pending = { resolve(r: CallResult): void; deadline: Deadline | undefined };

export class PendingCalls {
  #deadlines: Deadlines;
  #nextId = 1;
  #calls = new Map<number, Pending>();

  constructor(clock: Clock) {
    this.#deadlines = new Deadlines(clock);
  }

  /** Calls still waiting. */
  get size(): number {
    return this.#calls.size;
  }

  /** An id no call of this link has used. */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * Waits for the reply to call `id`. When `timeoutMs` (finite) passes first,
   * the call stops waiting and resolves with what `expire` returns. When
   * `signal` aborts first, `abandon` runs and the call rejects with the
   * signal's reason; otherwise it never rejects.
   */
  wait(
    id: number,
    timeoutMs: number,
    expire: () => CallResult,
    abort?: { signal: AbortSignal; abandon(): void },
  ): Promise<CallResult> {
    return new Promise<CallResult>((settle, reject) => {
      const entry: Pending = { resolve: settle, deadline: undefined };
      if (abort) this.#follow(id, entry, abort, reject);
      if (Number.isFinite(timeoutMs)) {
        entry.deadline = this.#deadlines.add(timeoutMs, () => {
          if (this.#calls.get(id) !== entry) return;
          this.#calls.delete(id);
          entry.resolve(expire());
        });
      }
      this.#calls.set(id, entry);
    });
  }

  /** Has call `id` give up when `abort.signal` aborts first; only calls given a signal pay for the listener. */
  #follow(id: number, entry: Pending, abort: { signal: AbortSignal; abandon(): void }, reject: (reason: unknown) => void): void {
    const settle = entry.resolve;
    const onAbort = () => {
      if (this.#calls.get(id) !== entry) return;
      this.#calls.delete(id);
      entry.deadline?.cancel();
      abort.abandon();
      reject(abort.signal.reason);
    };
    entry.resolve = (r) => {
      abort.signal.removeEventListener("abort", onAbort);
      settle(r);
    };
    abort.signal.addEventListener("abort", onAbort, { once: true });
  }

  /** Hands a reply to its call; false when no call waits for `id` (a late reply, after its timeout). */
  settle(id: number, result: CallResult): boolean {
    const entry = this.#calls.get(id);
    if (!entry) return false;
    this.#calls.delete(id);
    entry.deadline?.cancel();
    entry.resolve(result);
    return true;
  }

  /** Resolves every waiting call with `result` at once (the link went down). */
  settleAll(result: CallResult): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    this.#deadlines.clear();
    for (const c of calls) c.resolve(result);
  }
}
