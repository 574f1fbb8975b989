/**
 * Dashboard sessions: a random id, signed with this node's cookie, that
 * maps to a row in a table on this node only. The browser never holds the
 * cluster cookie; a session from a node with another cookie (or another
 * node) is not in the table and its signature does not verify. The table
 * is bounded: expired rows go first, then the oldest.
 *
 * @module
 */
import { constantTimeEqualText } from "../core/bytes.ts";

/** A signed-in browser: its anti-forgery token goes into every form. */
export interface Session {
  csrf: string;
  expires: number;
}

export interface SessionOptions {
  /** How long a session lasts (default 8 hours). */
  ttlMs?: number;
  /** The most sessions kept at once (default 256). */
  max?: number;
  now?: () => number;
}

export const SESSION_TTL_MS = 8 * 3600_000;
export const SESSIONS_MAX = 256;

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

export class Sessions {
  #table = new Map<string, Session>();
  #key: Promise<CryptoKey>;
  #ttlMs: number;
  #max: number;
  #now: () => number;

  constructor(cookie: string, options: SessionOptions = {}) {
    this.#key = crypto.subtle.importKey("raw", encoder.encode(`meshrpc dashboard\0${cookie}`), {
      name: "HMAC",
      hash: "SHA-256",
    }, false, ["sign"]);
    this.#ttlMs = options.ttlMs ?? SESSION_TTL_MS;
    this.#max = options.max ?? SESSIONS_MAX;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  async #sign(id: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign("HMAC", await this.#key, encoder.encode(id)));
  }

  /** A new session: the value for the browser's cookie, and the session. */
  async create(): Promise<{ token: string; session: Session }> {
    const now = this.#now();
    for (const [id, s] of this.#table) if (s.expires <= now) this.#table.delete(id);
    while (this.#table.size >= this.#max) this.#table.delete(this.#table.keys().next().value!);
    const id = randomToken();
    const session = { csrf: randomToken(), expires: now + this.#ttlMs };
    this.#table.set(id, session);
    return { token: `${id}.${base64url(await this.#sign(id))}`, session };
  }

  /** The session of a cookie value; undefined when it is missing, forged, unknown or expired. */
  async check(token: string | undefined): Promise<Session | undefined> {
    const m = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
    if (!m) return undefined;
    const expected = base64url(await this.#sign(m[1]));
    if (!constantTimeEqualText(expected, m[2])) return undefined;
    const session = this.#table.get(m[1]);
    if (session === undefined) return undefined;
    if (session.expires <= this.#now()) {
      this.#table.delete(m[1]);
      return undefined;
    }
    return session;
  }

  /** Ends the session of a cookie value (signing out); a no-op for an unknown one. */
  end(token: string | undefined): void {
    this.#table.delete((token ?? "").split(".")[0]);
  }

  get size(): number {
    return this.#table.size;
  }
}
