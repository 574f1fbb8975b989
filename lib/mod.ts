/**
 * meshrpc as a library: make a Bun or Deno program a node of the mesh.
 *
 * ```ts
 * import { startNode } from "meshrpc";
 * const node = await startNode({ name: "app@localhost", cookie: "mycookie", join: ["hoge@localhost"] });
 * node.register("Person", { say_hello(other: string) { return `Hello, ${other}!`; } });
 * console.log(await node.call("hoge@localhost", "system", "info"));
 * ```
 *
 * @module
 */
export { MeshNode, type NodeOptions, NodeStartError } from "./node/node.ts";
export { startNode } from "./node/start.ts";
export type { NodeEvent, NodeEventType } from "./core/events.ts";
export type { CallContext, ModuleFunctions, NodeApi, RemoteFunction } from "./rpc/context.ts";
export type { CallOptions } from "./rpc/context.ts";
export type { NodeStatus } from "./control/protocol.ts";
export {
  type BadArg,
  type CallResult,
  type Exception,
  type Failure,
  type Kind,
  type NoConnection,
  type NodeResult,
  RpcError,
  type Timeout,
  type Undef,
  type Value,
} from "./result.ts";
export { ModuleError } from "./rpc/modules.ts";
