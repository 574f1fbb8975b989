/**
 * How many connections strangers may hold at once, overall and from one
 * source address: a link's handshake, a port mapper registration that has
 * not registered yet. A connection holds its place until it has proved
 * itself (or is refused, or times out), so strangers can hold at most
 * `maxTotal` sockets and one host at most `maxPerSource`, while connections
 * that proved themselves are never counted.
 *
 * @module
 */

export interface AdmissionLimits {
  /** Connections not proved yet, at once, from everyone. */
  maxTotal: number;
  /** Connections not proved yet, at once, from one source address. */
  maxPerSource: number;
}

/** Why a connection was not admitted, for the log. */
export type Refusal = { limit: "total" | "per_source"; max: number };

/**
 * The addresses this host's own processes connect from. The per-source
 * limit keeps one remote host from taking every place; applied to these, it
 * would only make the host's own nodes queue (50 nodes started on one host
 * join at once), so callers give them the total only.
 */
export function isOwnHost(address: string): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

export class Admission {
  #limits: AdmissionLimits;
  #total = 0;
  #bySource = new Map<string, number>();

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /** Connections in their handshake now. */
  get pending(): number {
    return this.#total;
  }

  /**
   * Takes a place for a connection from `source`: the function that gives it
   * back (idempotent), or the limit that refuses it. With `perSource: false`
   * only the total applies (the host's own processes: see `strangers.ts`).
   */
  enter(source: string, options: { perSource?: boolean } = {}): (() => void) | Refusal {
    const mine = this.#bySource.get(source) ?? 0;
    if (this.#total >= this.#limits.maxTotal) return { limit: "total", max: this.#limits.maxTotal };
    if (options.perSource !== false && mine >= this.#limits.maxPerSource) {
      return { limit: "per_source", max: this.#limits.maxPerSource };
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
