/**
 * An abort signal made only when someone asks for it. Every call that runs
 * here may be cancelled, so it needs a signal; few functions ever read
 * theirs, and an `AbortController` with its listeners was the largest cost
 * of serving a small call (issue 8's profiles).
 *
 * @module
 */
export class LazyAbort {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #follow: { readonly signal?: AbortSignal } | undefined;
  #followed: AbortSignal | undefined;
  #onFollowed: (() => void) | undefined;

  /**
   * `follow.signal` is a signal this one also aborts with (the caller's); it
   * is read, and listened to, only once this signal is asked for (a getter
   * there runs then, if ever).
   */
  constructor(follow?: { readonly signal?: AbortSignal }) {
    this.#follow = follow;
  }

  /** The signal: aborted already when `abort` ran (or the followed signal aborted) before it was asked for. */
  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = this.#controller = new AbortController();
    if (this.#aborted) controller.abort(this.#reason);
    else {
      const followed = this.#follow?.signal;
      if (followed?.aborted) this.abort(followed.reason);
      else if (followed) {
        this.#followed = followed;
        this.#onFollowed = () => this.abort(followed.reason);
        followed.addEventListener("abort", this.#onFollowed, { once: true });
      }
    }
    return controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Aborts with `reason`, once: the signal fires now if it exists, or is born aborted. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /** Stops following the other signal (the work ended): no listener is left behind on it. */
  dispose(): void {
    if (this.#followed) this.#followed.removeEventListener("abort", this.#onFollowed!);
    this.#followed = undefined;
  }
}
