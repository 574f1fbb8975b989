/**
 * meshrpc as a library: make a Bun or Deno program a node of the mesh.
 *
 * ```ts
 * import { startNode } from "meshrpc";
 * await using node = await startNode({ name: "app@localhost", cookie: "mycookie", join: ["hoge@localhost"] });
 * node.register("Person", { say_hello(other: string) { return `Hello, ${other}!`; } });
 * console.log(await node.call("hoge@localhost", "system", "info"));
 * ```
 *
 * @module
 */
export { MeshNode, type NodeOptions, NodeStartError, type StartFailure } from "./node/node.ts";
export { startNode } from "./node/start.ts";
export type { EventsOptions, NodeEvent, NodeEventType } from "./core/events.ts";
export { createLogger, type Fields, type LogFormat, type Logger } from "./core/log.ts";
export type { Limits } from "./codec/limits.ts";
export type {
  CallContext,
  CallOptions,
  ModuleFunctions,
  MulticallOptions,
  NodeApi,
  RemoteFunction,
} from "./rpc/context.ts";
export type { RemoteModule } from "./rpc/typed.ts";
export type { NodeStatus } from "./control/protocol.ts";
export {
  type BadArg,
  type CallResult,
  type Exception,
  type Failure,
  type Kind,
  type NoConnection,
  type NodeResult,
  type Ok,
  RpcError,
  type Timeout,
  type Unauthorized,
  type Undef,
  type Value,
} from "./result.ts";
export { ModuleError } from "./rpc/modules.ts";
export { Atom, BitString, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, type Term, Tuple } from "./core/terms.ts";
