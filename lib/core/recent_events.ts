/**
 * The last few things that happened to a node's links (`nodeup`,
 * `nodedown`, refused handshakes), kept for the dashboard: a bounded
 * buffer, so a flood of refused strangers costs a fixed amount of memory.
 *
 * @module
 */

/** One line of the journal, at `time` (ms since the epoch). */
export interface RecentEvent {
  time: number;
  type: "nodeup" | "nodedown" | "refused";
  node: string;
  /** Why (a nodedown's reason, a refusal's reason and message); empty for nodeup. */
  detail: string;
}

export const RECENT_EVENTS_MAX = 200;

export class RecentEvents {
  #max: number;
  #events: RecentEvent[] = [];

  /** Throws RangeError when `max` is not a positive integer. */
  constructor(max = RECENT_EVENTS_MAX) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, not ${max}`);
    this.#max = max;
  }

  /** Adds an event; past `max` the oldest is dropped. Long details are clipped to 300 characters. */
  add(event: RecentEvent): void {
    const detail = event.detail.length > 300 ? event.detail.slice(0, 300) + "…" : event.detail;
    this.#events.push({ ...event, detail });
    if (this.#events.length > this.#max) this.#events.splice(0, this.#events.length - this.#max);
  }

  /** The newest first. */
  list(): RecentEvent[] {
    return [...this.#events].reverse();
  }
}
