/**
 * Rate limits for log lines that strangers can cause (refused handshakes,
 * refused port mapper registrations): a token bucket per source address. A
 * source that goes over is not logged until it slows down; the next line
 * that is logged for it says how many were suppressed. The table of sources
 * is bounded, so a flood of addresses cannot grow it either.
 *
 * @module
 */

export interface LogLimitOptions {
  /** Lines a source may cause at once. Default 5. */
  burst?: number;
  /** Lines per second a source earns back. Default 1. */
  perSecond?: number;
  /** Sources remembered at most; the least recently seen are forgotten first. Default 1024. */
  maxSources?: number;
  /** Milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

type Bucket = { tokens: number; at: number; suppressed: number };

/** Decides, per source, whether a line may be written. */
export class LogLimit {
  #burst: number;
  #perMs: number;
  #maxSources: number;
  #now: () => number;
  #buckets = new Map<string, Bucket>();

  constructor(options: LogLimitOptions = {}) {
    this.#burst = options.burst ?? 5;
    this.#perMs = (options.perSecond ?? 1) / 1000;
    this.#maxSources = options.maxSources ?? 1024;
    this.#now = options.now ?? Date.now;
  }

  /**
   * `undefined` when the line must be dropped; otherwise how many lines of
   * this source were dropped since the last one that was written (0 usually).
   */
  admit(source: string): number | undefined {
    const now = this.#now();
    let b = this.#buckets.get(source);
    if (b) {
      this.#buckets.delete(source);
      b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#perMs);
      b.at = now;
    } else {
      b = { tokens: this.#burst, at: now, suppressed: 0 };
      if (this.#buckets.size >= this.#maxSources) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    // Re-inserted: the Map's order is least recently seen first.
    this.#buckets.set(source, b);
    if (b.tokens < 1) {
      b.suppressed++;
      return undefined;
    }
    b.tokens--;
    const suppressed = b.suppressed;
    b.suppressed = 0;
    return suppressed;
  }
}
