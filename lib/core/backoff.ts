/**
 * Retry delays, written once: exponential, capped, and jittered, so that the
 * nodes of a mesh that restarted together do not retry in lockstep.
 *
 * @module
 */

export interface BackoffOptions {
  /** The delay before the first retry, before jitter. */
  firstMs: number;
  /** The largest delay, before jitter. */
  maxMs: number;
  /** Default 2. */
  factor?: number;
  /** A number in [0, 1); tests replace it. Default `Math.random`. */
  random?: () => number;
}

/**
 * The delays of one retry loop. `next()` returns a delay between half and
 * all of the current step ("equal jitter": never much shorter than planned,
 * never in step with another node), then multiplies the step by `factor` up
 * to `maxMs`; `reset()` starts again from `firstMs` after a success.
 */
export class Backoff {
  #first: number;
  #max: number;
  #factor: number;
  #random: () => number;
  #step: number;

  /** Throws RangeError unless 0 < firstMs <= maxMs and factor >= 1. */
  constructor(options: BackoffOptions) {
    const { firstMs, maxMs, factor = 2 } = options;
    if (!(firstMs > 0 && firstMs <= maxMs && factor >= 1)) {
      throw new RangeError(`Backoff needs 0 < firstMs <= maxMs and factor >= 1, got ${firstMs}, ${maxMs}, ${factor}`);
    }
    this.#first = firstMs;
    this.#max = maxMs;
    this.#factor = factor;
    this.#random = options.random ?? Math.random;
    this.#step = firstMs;
  }

  /** The delay to wait before the next attempt, in whole milliseconds. */
  next(): number {
    const step = this.#step;
    this.#step = Math.min(step * this.#factor, this.#max);
    return Math.round(step / 2 + (step / 2) * this.#random());
  }

  /** After a success: the next delay is the first one again. */
  reset(): void {
    this.#step = this.#first;
  }
}
