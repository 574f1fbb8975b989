/**
 * What the mesh allows connections that have not authenticated: a place
 * among the few that may be in their handshake at once (`admission.ts`),
 * log lines that a flood of them cannot multiply (`log_limit.ts`), and a
 * note of the names they claim, so that the mesh's own dials can wait for
 * them instead of making a second link.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import { LogLimit } from "../core/log_limit.ts";
import { Admission, type AdmissionLimits, isOwnHost } from "../core/admission.ts";
import type { HandshakeResult } from "./handshake.ts";

/** Connections in their handshake at once: 128 in all, 16 from one source address. */
export const DEFAULT_ADMISSION: AdmissionLimits = { maxTotal: 128, maxPerSource: 16 };

type Refused = Extract<HandshakeResult, { kind: "refused" }>;

/** A refused handshake, as the node's journal keeps it. */
export interface RefusedInfo {
  node: string;
  side: string;
  reason: string;
  message: string;
}

export class Strangers {
  #admission: Admission;
  #logLimit = new LogLimit();
  #log: Logger;
  #onRefused?: (info: RefusedInfo) => void;
  /** The set-ups in their handshake that claim each name: how many, and who waits for them to end. */
  #claims = new Map<string, { count: number; waiters: (() => void)[] }>();

  constructor(limits: AdmissionLimits, log: Logger, onRefused?: (info: RefusedInfo) => void) {
    this.#admission = new Admission(limits);
    this.#log = log;
    this.#onRefused = onRefused;
  }

  /**
   * A place for a connection from `source` during its handshake: the
   * function that gives it back, or undefined (logged) when the source or
   * everyone already holds as many as allowed.
   */
  enter(source: string): (() => void) | undefined {
    // This host's own nodes (50 started at once join together) count toward the total only.
    const leave = this.#admission.enter(source, { perSource: !isOwnHost(source) });
    if (typeof leave === "function") return leave;
    this.#warn(source, "preauth_limit", {
      remote: source,
      limit: leave.limit,
      max: leave.max,
      message: "too many connections in their handshake; closed this one",
    });
    return undefined;
  }

  /** Notes a set-up in its handshake that claims to be `name`; returns the function that forgets it (idempotent). */
  claim(name: string): () => void {
    const claim = this.#claims.get(name) ?? { count: 0, waiters: [] };
    claim.count++;
    this.#claims.set(name, claim);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--claim.count > 0) return;
      this.#claims.delete(name);
      for (const wake of claim.waiters) wake();
    };
  }

  /**
   * Resolves once no set-up in its handshake claims to be `name` (at once
   * when none does). The handshake's timeout bounds the wait.
   */
  unclaimed(name: string): Promise<void> {
    const claim = this.#claims.get(name);
    return claim ? new Promise((resolve) => claim.waiters.push(resolve)) : Promise.resolve();
  }

  /**
   * Logs a refused handshake. Those a stranger causes (`source` given) are
   * rate-limited per source; the next line logged says how many were not.
   */
  refused(peer: string, result: Refused, side: string, source?: string): void {
    const fields = { node: peer, side, reason: result.reason, message: result.message };
    this.#onRefused?.(fields);
    if (source === undefined) this.#log.warn("handshake_refused", fields);
    else this.#warn(source, "handshake_refused", fields);
  }

  #warn(source: string, event: string, fields: Record<string, string | number>): void {
    const suppressed = this.#logLimit.admit(source);
    if (suppressed !== undefined) this.#log.warn(event, { ...fields, suppressed: suppressed || undefined });
  }
}
