/**
 * How many registration sockets may wait for their `register` message at
 * once: overall, and from one source address. A socket holds its place from
 * the upgrade until it registers, is refused or closes, so strangers cannot
 * pile up open sockets; registered nodes are never counted.
 *
 * (lib/distribution has the same counter for handshakes; the two folders
 * are siblings and may not share code.)
 *
 * @module
 */

export interface PendingLimits {
  /** Sockets waiting at once, from everyone. */
  maxTotal: number;
  /** Sockets waiting at once, from one source address. */
  maxPerSource: number;
}

export const DEFAULT_PENDING: PendingLimits = { maxTotal: 32, maxPerSource: 8 };

/** Counts waiting sockets. */
export class Pending {
  #limits: PendingLimits;
  #total = 0;
  #bySource = new Map<string, number>();

  constructor(limits: PendingLimits = DEFAULT_PENDING) {
    this.#limits = limits;
  }

  /**
   * Takes a place for a socket from `source`: the function that gives it back
   * (idempotent), or a sentence saying which limit refuses it.
   */
  enter(source: string): (() => void) | string {
    const mine = this.#bySource.get(source) ?? 0;
    if (this.#total >= this.#limits.maxTotal) {
      return `${this.#limits.maxTotal} registrations are already in progress`;
    }
    if (mine >= this.#limits.maxPerSource) {
      return `${this.#limits.maxPerSource} registrations from ${source} are already in progress`;
    }
    this.#total++;
    this.#bySource.set(source, mine + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#total--;
      const left = (this.#bySource.get(source) ?? 1) - 1;
      if (left === 0) this.#bySource.delete(source);
      else this.#bySource.set(source, left);
    };
  }
}
