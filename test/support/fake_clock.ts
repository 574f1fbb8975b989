/**
 * A `Clock` whose time moves only when a test says so.
 *
 * @module
 */
import type { Clock } from "../../lib/distribution/clock.ts";
import { flush } from "./memory_transport.ts";

type Timer = { at: number; seq: number; fn: () => void };

export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers = new Set<Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(t);
    return t;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as Timer);
  }

  /** A fake turn of the event loop ends when the promises of this one have run. */
  soon(fn: () => void): void {
    queueMicrotask(fn);
  }

  /** Timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting
   * promises and in-memory messages settle after each one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
      await flush();
    }
    this.#now = target;
  }
}
