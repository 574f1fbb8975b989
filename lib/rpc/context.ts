/**
 * What a called function gets as `this` (SPEC §5).
 *
 * @module
 */
import type { CallResult, NodeResult, Value } from "../result.ts";

export interface CallOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * The node's calls, for functions that call other nodes themselves (as any
 * Erlang code may call `erpc`). The same methods as the library's node.
 */
export interface NodeApi {
  /** Resolves with the value; rejects with one RpcError carrying the failure. */
  call<T = Value>(node: string, module: string, fn: string, args?: Value[], options?: CallOptions): Promise<T>;
  /** Resolves with the CallResult union; never rejects. */
  callResult(node: string, module: string, fn: string, args?: Value[], options?: CallOptions): Promise<CallResult>;
  /** Rejects with RpcError when the call cannot be sent. */
  cast(node: string, module: string, fn: string, args?: Value[]): Promise<void>;
  multicall(
    nodes: string[] | undefined,
    module: string,
    fn: string,
    args?: Value[],
    options?: CallOptions,
  ): Promise<NodeResult[]>;
  ping(node: string): Promise<"pong" | "pang">;
  nodes(): string[];
}

export interface CallContext {
  /** This node's name. */
  readonly self: string;
  /** The calling node's name (this node's own for local and HTTP calls). */
  readonly caller: string;
  /** Fires when the caller's timeout passes or the call is cancelled. */
  readonly signal: AbortSignal;
  /** This node's calls to other nodes. */
  readonly rpc: NodeApi;
}

// deno-lint-ignore no-explicit-any
export type RemoteFunction = (this: CallContext, ...args: any[]) => unknown;

/** A module: named functions. */
export type ModuleFunctions = Record<string, RemoteFunction>;
