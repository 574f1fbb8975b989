/**
 * What the node hands the mesh (`mesh.ts`), and what a connect resolves to.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { AdmissionLimits } from "../core/admission.ts";
import type { NodeEvents } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { NoConnection } from "../result.ts";
import type { Transport } from "../runtime/types.ts";
import type { Clock } from "./clock.ts";
import type { NodeIdentity } from "./handshake.ts";
import type { Link } from "./link.ts";
import type { LinkHandler } from "./link_handler.ts";
import type { RefusedInfo } from "./strangers.ts";

export interface MeshOptions {
  self: NodeIdentity;
  cookie: string;
  ticktimeMs: number;
  /** Dial plus handshake, per attempt. */
  setupTimeoutMs: number;
  /**
   * Opens a connection to a node, given as `name@host` or `name@host:port`.
   * Rejects with an Error whose message says why (no mapper, unknown name,
   * refused); the mesh turns it into `noconnection`.
   */
  dial(node: string): Promise<Transport>;
  /** What to do with calls and casts from peers. */
  handler: Omit<LinkHandler, "peers">;
  events: NodeEvents;
  log: Logger;
  limits?: Limits;
  /** How many connections may be in their handshake at once (default `DEFAULT_ADMISSION`). */
  admission?: AdmissionLimits;
  clock?: Clock;
  /** A handshake was refused (it is logged too). */
  onRefused?(info: RefusedInfo): void;
}

export type Connected = { kind: "ok"; link: Link };
export type ConnectResult = Connected | NoConnection;
