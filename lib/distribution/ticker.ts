/**
 * Erlang's `net_ticktime` for one link: a tick goes out in every quarter of
 * ticktime in which nothing else was sent, and four quiet quarters in a row
 * (silence for at least ticktime, and under 1.25 × ticktime) mean the peer is
 * gone. Runs on the link's `Clock`.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

export interface TickHooks {
  /** Nothing was sent this quarter: send a tick. */
  tick(): void;
  /** Four quiet quarters: the peer is gone. The ticker has stopped. */
  silent(): void;
}

export class Ticker {
  #clock: Clock;
  #ticktimeMs: number;
  #hooks: TickHooks;
  #timer: unknown;
  #sent = false;
  #received = false;
  #quietQuarters = 0;
  #stopped = false;

  /** Starts at once. Throws RangeError when `ticktimeMs` is not a positive finite number. */
  constructor(clock: Clock, ticktimeMs: number, hooks: TickHooks) {
    if (!(ticktimeMs > 0) || !Number.isFinite(ticktimeMs)) {
      throw new RangeError(`ticktimeMs must be a positive number of milliseconds, got ${ticktimeMs}`);
    }
    this.#clock = clock;
    this.#ticktimeMs = ticktimeMs;
    this.#hooks = hooks;
    this.#arm();
  }

  get ticktimeMs(): number {
    return this.#ticktimeMs;
  }

  /** Something went out this quarter: no tick needed. */
  sent(): void {
    this.#sent = true;
  }

  /** Something came in this quarter: the peer is alive. */
  received(): void {
    this.#received = true;
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => this.#quarter(), this.#ticktimeMs / 4);
  }

  #quarter(): void {
    if (this.#stopped) return;
    this.#quietQuarters = this.#received ? 0 : this.#quietQuarters + 1;
    this.#received = false;
    if (this.#quietQuarters >= 4) {
      this.#stopped = true;
      this.#hooks.silent();
      return;
    }
    if (!this.#sent) this.#hooks.tick();
    this.#sent = false;
    if (!this.#stopped) this.#arm();
  }
}
