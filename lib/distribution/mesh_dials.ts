/**
 * The transitive mesh's own dials: the nodes that peers name in `peers`
 * frames, connected at most `concurrency` at a time, and each tried again
 * soon (jittered, a bounded number of times) when it fails.
 *
 * Why: a node that joins a mesh of 100 on one host learns ~100 names at
 * once. Dialing them all at once put hundreds of handshakes in flight on
 * two cores; they ran into their 5 s timeout, and a failed mesh dial was
 * never tried again unless a later `peers` frame named the node, so the
 * last links of a mesh could stay missing for a minute. Bounded, a dial
 * waits in the queue (not counted against its set-up timeout) instead of
 * starving the others.
 *
 * @module
 */
import { Backoff } from "../core/backoff.ts";
import type { Logger } from "../core/log.ts";
import type { NoConnection } from "../result.ts";
import type { Clock } from "./clock.ts";

/** Mesh dials in flight at once. */
export const MESH_DIAL_CONCURRENCY = 16;
/** Attempts per node before giving up (until a `peers` frame names it again). */
export const MESH_DIAL_ATTEMPTS = 8;
/** 0.2 s doubling up to 5 s, before jitter: ~10-20 s in all for the 7 retries. */
const RETRY = { firstMs: 200, maxMs: 5000 };

export interface MeshDialOptions {
  /** Connects to `name` at `address` (`name@host:port`); resolves, never rejects. */
  connect(name: string, address: string): Promise<{ kind: "ok" } | NoConnection>;
  /** True when there is a link to `name` (nothing left to dial). */
  linked(name: string): boolean;
  log: Logger;
  clock: Clock;
  /** Default `MESH_DIAL_CONCURRENCY`. */
  concurrency?: number;
  /** For the retry jitter; tests replace it. */
  random?: () => number;
}

/** A node the mesh wants a link to: queued, being dialed, or waiting to retry. */
type Wanted = { address: string; via: string; attempts: number; delays: Backoff };

export class MeshDials {
  #o: MeshDialOptions;
  #wanted = new Map<string, Wanted>();
  /** Names whose turn it is, first come first dialed. */
  #queue: string[] = [];
  #running = 0;
  #timers = new Set<unknown>();
  #closed = false;

  constructor(options: MeshDialOptions) {
    this.#o = options;
  }

  /** Dials in flight now. */
  get running(): number {
    return this.#running;
  }

  /**
   * Dials `name` at `address` (which `via` named) as soon as a place is free,
   * unless it is linked. A node already wanted keeps its place and its
   * attempts, with the newest address.
   */
  add(name: string, address: string, via: string): void {
    if (this.#closed || this.#o.linked(name)) return;
    const wanted = this.#wanted.get(name);
    if (wanted) {
      wanted.address = address;
      return;
    }
    this.#wanted.set(name, { address, via, attempts: 0, delays: new Backoff({ ...RETRY, random: this.#o.random }) });
    this.#queue.push(name);
    this.#pump();
  }

  /** Drops every queued dial and retry; dials in flight finish without follow-up. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
    this.#queue = [];
    this.#wanted.clear();
  }

  #pump(): void {
    const max = this.#o.concurrency ?? MESH_DIAL_CONCURRENCY;
    while (!this.#closed && this.#running < max && this.#queue.length > 0) {
      const name = this.#queue.shift()!;
      const wanted = this.#wanted.get(name);
      if (!wanted) continue;
      if (this.#o.linked(name)) {
        this.#wanted.delete(name);
        continue;
      }
      this.#running++;
      wanted.attempts++;
      this.#o.connect(name, wanted.address).then((r) => {
        this.#running--;
        if (!this.#closed) this.#settle(name, wanted, r);
        this.#pump();
      });
    }
  }

  #settle(name: string, wanted: Wanted, r: { kind: "ok" } | NoConnection): void {
    if (r.kind === "ok" || this.#o.linked(name)) {
      this.#wanted.delete(name);
      return;
    }
    const fields = { node: name, via: wanted.via, reason: r.reason, attempt: wanted.attempts };
    if (wanted.attempts >= MESH_DIAL_ATTEMPTS) {
      this.#wanted.delete(name);
      this.#o.log.warn("mesh_connect_failed", fields);
      return;
    }
    const delay = wanted.delays.next();
    this.#o.log.warn("mesh_connect_failed", { ...fields, retry_in_ms: delay });
    const timer = this.#o.clock.setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#wanted.get(name) !== wanted) return;
      this.#queue.push(name);
      this.#pump();
    }, delay);
    this.#timers.add(timer);
  }
}
