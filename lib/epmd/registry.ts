/**
 * The port mapper's table: name part → the node registered under it. No I/O;
 * the server claims a name when a registration socket opens and releases it
 * when that socket closes.
 *
 * @module
 */
import type { NameEntry } from "./protocol.ts";

export type Claim = { kind: "ok"; entry: NameEntry } | { kind: "taken"; holder: NameEntry };

export class Registry {
  #entries = new Map<string, NameEntry>();

  /** Registers `entry` unless its name is held; never throws. */
  claim(entry: NameEntry): Claim {
    const holder = this.#entries.get(entry.name);
    if (holder) return { kind: "taken", holder };
    const own = { ...entry };
    this.#entries.set(entry.name, own);
    return { kind: "ok", entry: own };
  }

  /**
   * Drops the name if `entry` (what `claim` returned) still holds it, so a
   * late close of an old registration cannot drop a newer one. False otherwise.
   */
  release(entry: NameEntry): boolean {
    if (this.#entries.get(entry.name) !== entry) return false;
    return this.#entries.delete(entry.name);
  }

  get(name: string): NameEntry | undefined {
    const e = this.#entries.get(name);
    return e && { ...e };
  }

  /** Every registration, sorted by name. */
  list(): NameEntry[] {
    const byName = (a: NameEntry, b: NameEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return [...this.#entries.values()].map((e) => ({ ...e })).sort(byName);
  }

  get size(): number {
    return this.#entries.size;
  }
}
