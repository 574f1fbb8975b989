/**
 * What the control plane drives, made of the node's public API: the CLI can
 * do nothing a library user could not.
 *
 * @module
 */
import type { NodeEvent } from "../core/events.ts";
import type { NodeStatus } from "../control/protocol.ts";
import type { ControlTarget } from "../control/server.ts";
import { type CallResult, ok, RpcError } from "../result.ts";
import type { NodeApi } from "../rpc/context.ts";

/** The part of a node the control plane drives (what `MeshNode` offers any library user). */
export interface ControlledNode extends NodeApi {
  readonly name: string;
  status(): NodeStatus;
  connect(node: string): Promise<CallResult>;
  disconnect(node: string): boolean;
  stop(): Promise<void>;
  on(type: "*", listener: (e: NodeEvent) => void): () => void;
}

/** `meshrpc load` waits longer than a call: the module is imported on every node. */
const LOAD_TIMEOUT_MS = 30_000;

export function controlTarget(node: ControlledNode): ControlTarget {
  return {
    status: () => node.status(),
    call: (req) => node.callResult(req.node ?? node.name, req.module, req.function, req.args, { timeoutMs: req.timeoutMs }),
    async cast(req) {
      try {
        await node.cast(req.node ?? node.name, req.module, req.function, req.args);
        return ok(true);
      } catch (err) {
        if (err instanceof RpcError) return err.result;
        throw err;
      }
    },
    multicall: (req) => node.multicall(req.module, req.function, req.args, { nodes: req.nodes, timeoutMs: req.timeoutMs }),
    ping: (n) => node.ping(n),
    join: (n) => node.connect(n),
    disconnect: (n) => node.disconnect(n),
    load(req) {
      const targets = req.all ? [node.name, ...node.nodes()] : req.nodes ?? [node.name];
      return node.multicall("code", "load", [req.file, req.source], { nodes: targets, timeoutMs: LOAD_TIMEOUT_MS });
    },
    stop: () => void node.stop(),
    subscribe: (listener) => node.on("*", listener),
  };
}
