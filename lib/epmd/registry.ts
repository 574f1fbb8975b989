/**
 * The port mapper's table: name part → the node registered under it, with
 * the registration token each holder got. No I/O; the server claims a name
 * when a registration socket opens and releases it when that socket closes.
 *
 * A name can also be reserved for a token: a mapper that restarts reserves
 * the names its previous run held (read back from its state file) for their
 * holders, who come back with their tokens, for a short while.
 *
 * @module
 */
import { constantTimeEqualText } from "../core/bytes.ts";
import type { NameEntry } from "./protocol.ts";

export type Claim =
  | { kind: "ok"; entry: NameEntry; token: string }
  | { kind: "taken"; holder: NameEntry }
  /** Held for the node that had it before the mapper restarted, for `leftMs` more. */
  | { kind: "reserved"; leftMs: number };

/** A name and the token of whoever holds (or held) it, as the state file keeps them. */
export interface Holding {
  name: string;
  token: string;
  /** The holder's process id, when it said. */
  pid?: number;
}

export interface RegistryOptions {
  /** Milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
  /** Makes a new registration token. Default: 128 random bits, base64url. */
  newToken?: () => string;
}

/** 128 random bits as base64url: what a node presents to get its name back. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** What a token looks like; anything else a peer sends is treated as no token. */
export const TOKEN_RULE = /^[A-Za-z0-9_-]{16,64}$/;

export class Registry {
  #entries = new Map<string, { entry: NameEntry; token: string }>();
  #reserved = new Map<string, { token: string; until: number; pid?: number }>();
  #now: () => number;
  #newToken: () => string;

  constructor(options: RegistryOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#newToken = options.newToken ?? randomToken;
  }

  /** Keeps `h.name` for whoever presents `h.token`, until `until` (ms, on the `now` clock). */
  reserve(h: Holding, until: number): void {
    if (!this.#entries.has(h.name)) this.#reserved.set(h.name, { token: h.token, until, pid: h.pid });
  }

  /**
   * Registers `entry` unless its name is held, or reserved for another
   * token; never throws. `token` is the one the node got before, if any: it
   * is kept when it matches a reservation, else a new one is made.
   */
  claim(entry: NameEntry, token?: string): Claim {
    const held = this.#entries.get(entry.name);
    if (held) return { kind: "taken", holder: { ...held.entry } };
    const reserved = this.#reserved.get(entry.name);
    const leftMs = reserved ? reserved.until - this.#now() : 0;
    let keep: string | undefined;
    if (reserved && leftMs > 0) {
      if (token === undefined || !constantTimeEqualText(token, reserved.token)) return { kind: "reserved", leftMs };
      keep = reserved.token;
    }
    this.#reserved.delete(entry.name);
    const own = { ...entry };
    const t = keep ?? this.#newToken();
    this.#entries.set(entry.name, { entry: own, token: t });
    return { kind: "ok", entry: own, token: t };
  }

  /**
   * Drops the name if `entry` (what `claim` returned) still holds it, so a
   * late close of an old registration cannot drop a newer one. False otherwise.
   */
  release(entry: NameEntry): boolean {
    if (this.#entries.get(entry.name)?.entry !== entry) return false;
    return this.#entries.delete(entry.name);
  }

  get(name: string): NameEntry | undefined {
    const e = this.#entries.get(name)?.entry;
    return e && { ...e };
  }

  /** Every registration, sorted by name. */
  list(): NameEntry[] {
    const byName = (a: NameEntry, b: NameEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return [...this.#entries.values()].map((e) => ({ ...e.entry })).sort(byName);
  }

  /** The names held and still reserved, with their tokens: what the state file keeps. */
  holdings(): Holding[] {
    const now = this.#now();
    const out: Holding[] = [...this.#entries].map(([name, e]) => ({ name, token: e.token, pid: e.entry.pid }));
    for (const [name, r] of this.#reserved) if (r.until > now) out.push({ name, token: r.token, pid: r.pid });
    return out;
  }

  get size(): number {
    return this.#entries.size;
  }
}
