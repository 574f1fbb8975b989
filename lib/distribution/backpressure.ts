/**
 * Erlang's `busy_dist_port`: when a peer does not read as fast as this node
 * writes, the bytes waiting to go out stop growing. Callers ask `wait()`
 * before they send; past the high-water mark they wait (in order) until the
 * backlog is under the low-water mark, or the link goes down.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

/** Bytes waiting to be written to one link before its senders wait. */
export const HIGH_WATER = 4 * 1024 * 1024;
/** Bytes waiting to be written under which waiting senders go on. */
export const LOW_WATER = 1024 * 1024;
/** How often a congested link looks at its backlog (transports have no common drain event). */
const POLL_MS = 2;

export class Backpressure {
  #clock: Clock;
  #backlog: () => number;
  #waiters: (() => void)[] = [];
  #timer: unknown;

  /** `backlog` says how many bytes wait to be written. */
  constructor(clock: Clock, backlog: () => number) {
    this.#clock = clock;
    this.#backlog = backlog;
  }

  /**
   * Undefined when a sender may go on now (the common case costs no
   * promise); otherwise a promise that resolves when it may. Never rejects.
   */
  wait(): Promise<void> | undefined {
    if (this.#waiters.length === 0 && this.#backlog() < HIGH_WATER) return undefined;
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#poll();
    });
  }

  /** Lets every waiting sender go on (the link went down: they will find out when they send). */
  release(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const go of this.#waiters.splice(0)) go();
  }

  #poll(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#backlog() < LOW_WATER) this.release();
      else this.#poll();
    }, POLL_MS);
  }
}
