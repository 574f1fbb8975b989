/**
 * The control plane between the CLI and its local daemon: HTTP on the
 * node's Unix socket, CBOR bodies. Results travel as the CallResult union,
 * unchanged; the CLI maps them to exit codes.
 *
 * @module
 */
import type { NodeEvent } from "../core/events.ts";
import type { NodeResult, Value } from "../result.ts";

export interface NodeStatus {
  node: string;
  pid: number;
  port: number;
  listen: string;
  socket?: string;
  runtime: string;
  runtimeVersion: string;
  version: string;
  uptimeSeconds: number;
  hidden: boolean;
  epmdPort: number;
  /** Visible connected nodes. */
  nodes: string[];
  hiddenNodes: string[];
  modules: string[];
}

export type { NodeResult };

export interface MulticallRequest {
  /** Absent: this node and every visible node, as `rpc:multicall/3`. */
  nodes?: string[];
  module: string;
  function: string;
  args: Value[];
  timeoutMs?: number;
}

export interface LoadRequest {
  /** The module's file name (`Person.ts`) and source text. */
  file: string;
  source: string;
  /** Where: this node if absent, else these nodes. */
  nodes?: string[];
  /** Every connected node and this one (Erlang's `nl/1`). */
  all?: boolean;
}

/** The paths of the control API. */
export const ROUTES = {
  status: "/status",
  nodes: "/nodes",
  call: "/call",
  cast: "/cast",
  multicall: "/multicall",
  ping: "/ping",
  join: "/join",
  disconnect: "/disconnect",
  load: "/load",
  stop: "/stop",
  events: "/events",
} as const;

export type { NodeEvent };
