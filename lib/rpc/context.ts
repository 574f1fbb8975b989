/**
 * What a called function gets as `this` (SPEC §5).
 *
 * @module
 */

export interface CallContext {
  /** This node's name. */
  readonly self: string;
  /** The calling node's name (this node's own for local and HTTP calls). */
  readonly caller: string;
  /** Fires when the caller's timeout passes or the call is cancelled. */
  readonly signal: AbortSignal;
}

// deno-lint-ignore no-explicit-any
export type RemoteFunction = (this: CallContext, ...args: any[]) => unknown;

/** A module: named functions. */
export type ModuleFunctions = Record<string, RemoteFunction>;
