/**
 * The mesh's table of links: one per peer, the rule that picks one of two
 * links between the same pair of incarnations, and waiting for a peer's link
 * to appear. No events and no I/O: the mesh says what a change means.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { PeerAddress } from "./frames.ts";
import type { Link } from "./link.ts";

type Entry = { link: Link; initiator: string };

/** What `add` did. */
export type Added =
  /** The link went down before it could be added; nothing changed. */
  | { kind: "down" }
  /** The peer's incarnation already had a link: `link` is the one kept, the other was closed. */
  | { kind: "duplicate"; link: Link }
  /** The peer is new, or `restarted` (its old incarnation's link was closed and dropped). */
  | { kind: "up"; link: Link; restarted: boolean };

export class LinkTable {
  #entries = new Map<string, Entry>();
  #waiters = new Map<string, Set<(link: Link) => void>>();

  get(name: string): Link | undefined {
    return this.#entries.get(name)?.link;
  }

  /** Every link, in the order they were added. */
  links(): Link[] {
    return [...this.#entries.values()].map((e) => e.link);
  }

  /** Names of the connected peers that are hidden (or visible), sorted. */
  names(hidden: boolean): string[] {
    return this.links().filter((l) => l.peer.hidden === hidden).map((l) => l.peer.name).sort();
  }

  /** Outgoing calls waiting for replies, over every link. */
  pendingCalls(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.link.pendingCount;
    return n;
  }

  /** The visible peers but `except`, as other nodes reach them: what a `peers` frame carries. */
  peerList(except: string): PeerAddress[] {
    return this.links()
      .map((l) => l.peer)
      .filter((p) => !p.hidden && p.name !== except)
      .map((p) => ({ name: p.name, port: p.port }));
  }

  /**
   * Makes `link` the link to its peer, unless one already is: of two links
   * between the same incarnations, both sides keep the one the smaller name
   * dialed (`initiator`), and the other is closed.
   */
  add(link: Link, initiator: string): Added {
    if (!link.isUp) return { kind: "down" };
    const name = link.peer.name;
    const existing = this.#entries.get(name);
    if (existing && existing.link.peer.creation === link.peer.creation) {
      const keepExisting = existing.initiator < initiator;
      const loser = keepExisting ? link : existing.link;
      if (!keepExisting) this.#entries.set(name, { link, initiator });
      loser.close("duplicate link");
      return { kind: "duplicate", link: keepExisting ? existing.link : link };
    }
    if (existing) {
      // The peer restarted: the old link belongs to a process that is gone.
      this.#entries.delete(name);
      existing.link.close("peer restarted");
    }
    this.#entries.set(name, { link, initiator });
    for (const resolve of this.#waiters.get(name) ?? []) resolve(link);
    this.#waiters.delete(name);
    return { kind: "up", link, restarted: existing !== undefined };
  }

  /** Drops `link` if it is its peer's current link; false when it is not (it lost, or was replaced). */
  remove(link: Link): boolean {
    const name = link.peer.name;
    if (this.#entries.get(name)?.link !== link) return false;
    return this.#entries.delete(name);
  }

  /** The link to `name` as soon as there is one; undefined when `ms` pass first on `clock`. */
  waitFor(name: string, ms: number, clock: Clock): Promise<Link | undefined> {
    const existing = this.get(name);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const set = this.#waiters.get(name) ?? new Set();
      this.#waiters.set(name, set);
      const done = (link: Link) => {
        clock.clearTimeout(timer);
        resolve(link);
      };
      const timer = clock.setTimeout(() => {
        set.delete(done);
        resolve(undefined);
      }, ms);
      set.add(done);
    });
  }
}
