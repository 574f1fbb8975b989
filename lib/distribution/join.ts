/**
 * What `--join` asks for: keep some nodes connected. Each is connected now,
 * again after every `nodedown`, and retried with jittered exponential
 * backoff while it is unreachable, so that the nodes of a mesh that lost a
 * peer at the same moment do not all dial it in lockstep.
 *
 * @module
 */
import { Backoff } from "../core/backoff.ts";
import type { NodeEvents } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { NoConnection } from "../result.ts";
import type { Clock } from "./clock.ts";

/** 0.5 s doubling up to 30 s, before jitter. */
const RETRY = { firstMs: 500, maxMs: 30_000 };

export interface JoinOptions {
  /** The mesh's connect: resolves, never rejects. */
  connect(node: string): Promise<{ kind: "ok" } | NoConnection>;
  events: NodeEvents;
  log: Logger;
  clock: Clock;
  /** For the backoff's jitter; tests replace it. */
  random?: () => number;
}

/** The nodes kept connected, by name. */
export class Joined {
  #o: JoinOptions;
  #kept = new Map<string, () => void>();

  constructor(options: JoinOptions) {
    this.#o = options;
  }

  /**
   * Keeps `name` connected, dialing `address` (`name@host` or
   * `name@host:port`). A no-op when `name` is already kept.
   */
  keep(name: string, address: string): void {
    if (this.#kept.has(name)) return;
    const { clock, log } = this.#o;
    const delays = new Backoff({ ...RETRY, random: this.#o.random });
    let timer: unknown;
    let cancelled = false;
    const retryIn = (ms: number) => {
      clock.clearTimeout(timer);
      timer = clock.setTimeout(attempt, ms);
    };
    const attempt = async () => {
      if (cancelled) return;
      const r = await this.#o.connect(address);
      if (cancelled) return;
      if (r.kind === "ok") return delays.reset();
      const delay = delays.next();
      log.warn("join_retry", { node: name, reason: r.reason, retry_in_ms: delay });
      retryIn(delay);
    };
    const off = this.#o.events.on("nodedown", (e) => {
      if (e.node !== name || cancelled) return;
      delays.reset();
      retryIn(delays.next());
    });
    this.#kept.set(name, () => {
      cancelled = true;
      off();
      clock.clearTimeout(timer);
      this.#kept.delete(name);
    });
    attempt();
  }

  /** Stops keeping `name` connected; a no-op when it is not kept. */
  release(name: string): void {
    this.#kept.get(name)?.();
  }

  /** Stops keeping every node connected. */
  releaseAll(): void {
    for (const cancel of [...this.#kept.values()]) cancel();
  }
}
