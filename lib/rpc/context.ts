/**
 * What a called function gets as `this` (SPEC §5), and the node's call API
 * it reaches through `this.rpc`.
 *
 * @module
 */
import type { CallResult, NodeResult, Value } from "../result.ts";
import type { RemoteModule } from "./typed.ts";

/** The options of one call. */
export interface CallOptions {
  /** How long to wait for the outcome, connecting included. Default 5000 ms (meshrpc's choice: erpc waits forever). */
  timeoutMs?: number;
  /**
   * Gives up on the call when it aborts: the promise rejects with
   * `signal.reason` (not an RpcError: no outcome arrived), the callee is
   * sent a cancel (its `this.signal` fires), and, as for `timeout`, the
   * function may or may not have been applied. An already aborted signal
   * rejects at once and sends nothing.
   */
  signal?: AbortSignal;
}

/** The options of `multicall`: those of a call, and the nodes to call. */
export interface MulticallOptions extends CallOptions {
  /** Default: this node and every visible node (`rpc:multicall/3`). */
  nodes?: string[];
}

/**
 * The node's calls, for functions that call other nodes themselves (as any
 * Erlang code may call `erpc`). The same methods as the library's node.
 */
export interface NodeApi {
  /** Resolves with the value; rejects with one RpcError carrying the failure (or the signal's reason). */
  call<T = Value>(node: string, module: string, fn: string, args?: Value[], options?: CallOptions): Promise<T>;
  /** Resolves with the CallResult union; rejects only with the reason of an aborted `options.signal`. */
  callResult(node: string, module: string, fn: string, args?: Value[], options?: CallOptions): Promise<CallResult>;
  /** Rejects with RpcError when the call cannot be sent. */
  cast(node: string, module: string, fn: string, args?: Value[]): Promise<void>;
  /**
   * Calls every node in parallel; one result per node, in the order of
   * `options.nodes`. Rejects only with the reason of an aborted
   * `options.signal` (with a TypeError when `nodes` is not an array).
   */
  multicall(module: string, fn: string, args?: Value[], options?: MulticallOptions): Promise<NodeResult[]>;
  /**
   * Module `module` on `node`, typed by its source (`typeof import("./Person.ts")`):
   * each call resolves with the value or rejects as `call` does.
   */
  module<M>(node: string, module: string, options?: CallOptions): RemoteModule<M>;
  /** `pong` when `node` is or can be connected, else `pang` (as `net_adm:ping/1`). */
  ping(node: string): Promise<"pong" | "pang">;
  /** Visible connected nodes, as Erlang's `nodes()`. */
  nodes(): string[];
}

/** What a called function gets as `this`. */
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

/** A function a module exports: its `this` is the call's context. */
// deno-lint-ignore no-explicit-any
export type RemoteFunction = (this: CallContext, ...args: any[]) => unknown;

/** A module: named functions. */
export type ModuleFunctions = Record<string, RemoteFunction>;
