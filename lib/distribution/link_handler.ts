/**
 * What a link hands to the node: calls and casts the peer sends, and the
 * nodes it knows. The node's rpc layer implements `LinkHandler`.
 *
 * @module
 */
import type { CallResult, Value } from "../result.ts";
import type { PeerAddress } from "./frames.ts";

/** A call that arrived from the peer. `signal` fires on cancel or when the link goes down. */
export type IncomingCall = {
  caller: string;
  module: string;
  function: string;
  args: Value[];
  /** `Infinity` when the caller set no deadline. */
  timeoutMs: number;
  signal: AbortSignal;
};

export type IncomingCast = { caller: string; module: string; function: string; args: Value[] };

/** What the node does with what the peer sends. */
export interface LinkHandler {
  /** The outcome, or a promise of it that should resolve, not reject (a rejection is answered as an exception). */
  call(req: IncomingCall): CallResult | Promise<CallResult>;
  cast(req: IncomingCast): void;
  peers(nodes: PeerAddress[]): void;
}
