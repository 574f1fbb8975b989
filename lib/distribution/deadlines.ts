/**
 * Many deadlines on one timer. A link's calls nearly all carry the same
 * timeout, so their deadlines arrive in order: one queue per timeout value
 * keeps them sorted for free, and one `Clock` timer, armed for the earliest,
 * serves them all. A native timer per call cost more than the rest of the
 * call's bookkeeping (issue 8's profiles).
 *
 * A deadline that is cancelled stays in its queue until it reaches the
 * front, where the next `add` of its timeout drops it: calls that end in the
 * order they started (the usual case) leave nothing behind, and the rest are
 * bounded by the calls started while the oldest one runs.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

/** One deadline; `cancel()` it when its work ends first. */
export class Deadline {
  #fire: (() => void) | undefined;
  readonly due: number;

  constructor(due: number, fire: () => void) {
    this.due = due;
    this.#fire = fire;
  }

  get pending(): boolean {
    return this.#fire !== undefined;
  }

  cancel(): void {
    this.#fire = undefined;
  }

  /** Runs the work once, unless cancelled. */
  expire(): void {
    const fire = this.#fire;
    this.#fire = undefined;
    fire?.();
  }
}

/** Deadlines of one timeout value, oldest first. */
class Queue {
  items: Deadline[] = [];
  head = 0;

  /** The first deadline still pending, dropping cancelled ones; undefined when none. */
  front(): Deadline | undefined {
    while (this.head < this.items.length && !this.items[this.head].pending) this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      return undefined;
    }
    // Keep the array from growing without end under a steady load.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }
}

export class Deadlines {
  #clock: Clock;
  #queues = new Map<number, Queue>();
  #timer: unknown;
  #armedFor = Infinity;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Deadlines held, pending or cancelled but not yet dropped (for tests). */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.items.length - q.head;
    return n;
  }

  /** Runs `fire` once after `ms` (finite, non-negative) milliseconds, unless the returned deadline is cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    const d = new Deadline(this.#clock.now() + ms, fire);
    let q = this.#queues.get(ms);
    if (!q) this.#queues.set(ms, q = new Queue());
    // Drop what already ended: calls that end in order keep the queue at what is in flight.
    q.front();
    q.items.push(d);
    if (d.due < this.#armedFor) this.#arm(d.due);
    return d;
  }

  /** Cancels every deadline and the timer (the link went down). */
  clear(): void {
    for (const q of this.#queues.values()) for (const d of q.items) d.cancel();
    this.#queues.clear();
    this.#disarm();
  }

  #arm(due: number): void {
    this.#disarm();
    this.#armedFor = due;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), Math.max(0, due - this.#clock.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [ms, q] of this.#queues) {
      let d: Deadline | undefined;
      while ((d = q.front()) && d.due <= now) {
        q.head++;
        d.expire();
      }
      if (d) next = Math.min(next, d.due);
      else if (q.items.length === 0) this.#queues.delete(ms);
    }
    if (next < Infinity && next < this.#armedFor) this.#arm(next);
  }
}
