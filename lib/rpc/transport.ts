/**
 * Another way to reach nodes than the meshrpc mesh (the Erlang distribution
 * protocol, for one): `Rpc` asks it first whether a node is its own, and if
 * so sends that node's calls, casts and pings through it, with the same
 * seven outcomes.
 *
 * @module
 */
import type { CallResult, Value } from "../result.ts";

export interface NodeTransport {
  /**
   * True when calls to `node` go this way: a connection of this kind is up,
   * or its host's port mapper knows the name as one of this kind. Never rejects.
   */
  claims(node: string): Promise<boolean>;
  /** One outcome for the call; connecting counts against `timeoutMs`. Rejects only with `signal.reason`. */
  call(node: string, module: string, fn: string, args: Value[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<CallResult>;
  /** ok once sent, else why it could not be. Never rejects. */
  cast(node: string, module: string, fn: string, args: Value[]): Promise<CallResult>;
  /** As `net_adm:ping/1`. Never rejects. */
  ping(node: string): Promise<"pong" | "pang">;
  /** Visible nodes connected this way. */
  nodes(): string[];
}
