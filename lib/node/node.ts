/**
 * `MeshNode`: what the library hands to applications, and what the daemon
 * and the control plane drive. A facade over the node's wiring
 * (`wiring.ts`); `startNode` is the only way to get one.
 *
 * @module
 */
import type { NodeStatus } from "../control/protocol.ts";
import type { EventsOptions, NodeEvent, NodeEventType } from "../core/events.ts";
import { type CallResult, type NodeResult, RpcError, type Value } from "../result.ts";
import { systemInfo } from "../rpc/builtins.ts";
import type { CallOptions, ModuleFunctions, MulticallOptions, NodeApi } from "../rpc/context.ts";
import { type RemoteModule, remoteModule } from "../rpc/typed.ts";
import { nodeStatus } from "./edges.ts";
import type { NodeCore } from "./wiring.ts";

export { type NodeOptions, NodeStartError, type StartFailure } from "./options.ts";

/**
 * A running node. Obtained from `startNode`; `await using node = await
 * startNode(...)` stops it when the scope ends.
 */
export class MeshNode implements NodeApi, AsyncDisposable {
  /** This node's full name, `name@host`. */
  readonly name: string;
  /** Tells this run of the node from an earlier one of the same name. */
  readonly creation: string;
  /** Resolves once the node has stopped (by `stop()`, a signal, or `meshrpc stop`). */
  readonly stopped: Promise<void>;
  #core: NodeCore;

  /** @ignore Use `startNode`. */
  constructor(core: NodeCore) {
    this.#core = core;
    this.name = core.name;
    this.creation = core.creation;
    this.stopped = core.stopped;
  }

  /** The TCP port for links and HTTP. */
  get port(): number {
    return this.#core.port;
  }

  /** The control socket's path, when the node serves one. */
  get socket(): string | undefined {
    return this.#core.socket;
  }

  /**
   * Makes `fns` callable as module `name` on this node (replacing a module
   * of that name). Throws ModuleError for a built-in or invalid name.
   */
  register(name: string, fns: ModuleFunctions | Record<string, unknown>): void {
    this.#core.modules.register(name, fns);
  }

  /** Loads a `.ts`/`.js` file as a module on this node. Throws ModuleError when it cannot. */
  async load(file: string): Promise<string> {
    return await this.#core.modules.loadFile(await this.#core.parts.rt.realPath(file));
  }

  /**
   * Calls `module.fn(...args)` on `node` (this one included) and resolves
   * with every outcome as a CallResult, as `erpc:call` distinguishes them.
   * Rejects only with the reason of an aborted `options.signal`.
   */
  callResult(node: string, module: string, fn: string, args: Value[] = [], options?: CallOptions): Promise<CallResult> {
    return this.#core.rpc.call(node, module, fn, args, options);
  }

  /**
   * Calls `module.fn(...args)` on `node` and resolves with its value.
   * Rejects with one `RpcError` whose `result.kind` says what happened:
   * exception, undef, noconnection, timeout, badarg; or with the reason of
   * an aborted `options.signal`.
   */
  async call<T = Value>(node: string, module: string, fn: string, args: Value[] = [], options?: CallOptions): Promise<T> {
    const r = await this.#core.rpc.call(node, module, fn, args, options);
    if (r.kind !== "ok") throw new RpcError(r);
    return r.value as T;
  }

  /**
   * Module `module` on `node`, typed by its source: each exported function
   * (without `this`) resolves with its value or rejects as `call` does;
   * `options` apply to every call. Nothing is sent until a function is
   * called, so a module that does not exist is `undef` then.
   *
   * ```ts
   * const person = node.module<typeof import("./modules/Person.ts")>("fuga@localhost", "Person");
   * const hello: string = await person.say_hello("hoge@localhost");
   * ```
   */
  module<M>(node: string, module: string, options?: CallOptions): RemoteModule<M> {
    return remoteModule<M>((fn, args) => this.#core.rpc.call(node, module, fn, args, options));
  }

  /** Runs `module.fn(...args)` on `node` without waiting. Rejects with RpcError when it cannot be sent. */
  async cast(node: string, module: string, fn: string, args: Value[] = []): Promise<void> {
    const r = await this.#core.rpc.cast(node, module, fn, args);
    if (r.kind !== "ok") throw new RpcError(r);
  }

  /**
   * Calls `module.fn(...args)` on every node of `options.nodes` (default:
   * this node and every visible one) in parallel; one result per node, in
   * that order. Rejects only with the reason of an aborted `options.signal`,
   * or a TypeError when `nodes` is not an array.
   */
  multicall(module: string, fn: string, args: Value[] = [], options?: MulticallOptions): Promise<NodeResult[]> {
    return this.#core.rpc.multicall(module, fn, args, options);
  }

  /** `pong` when `node` is or can be connected, else `pang`. */
  ping(node: string): Promise<"pong" | "pang"> {
    return this.#core.rpc.ping(node);
  }

  /** Connects to `node`; resolves ok(true) or noconnection with the reason. */
  connect(node: string): Promise<CallResult> {
    return this.#core.connect(node);
  }

  /** Closes the link to `node`; false when there was none. */
  disconnect(node: string): boolean {
    return this.#core.disconnect(node);
  }

  /** Visible connected nodes, as Erlang's `nodes()`. */
  nodes(): string[] {
    return this.#core.nodes();
  }

  /** Connected hidden nodes, as `nodes(hidden)`. */
  hiddenNodes(): string[] {
    return this.#core.hiddenNodes();
  }

  /** Subscribes to `nodeup`/`nodedown` (or "*"); returns the unsubscribe function. */
  on<T extends NodeEventType | "*">(
    type: T,
    listener: (e: T extends NodeEventType ? Extract<NodeEvent, { type: T }> : NodeEvent) => void,
  ): () => void {
    return this.#core.events.on(type, listener);
  }

  /**
   * `nodeup`/`nodedown` events from now on, for `for await`. The iteration
   * ends when the node stops (after the events it holds), when
   * `options.signal` aborts or the loop breaks. A consumer that falls more
   * than `options.buffer` events (default 1000) behind loses the oldest.
   * Throws RangeError for a buffer that is not a positive integer.
   */
  events(options?: EventsOptions): AsyncIterableIterator<NodeEvent> {
    return this.#core.events.iterate(options);
  }

  /** What `system info` answers for this node. */
  info(): Record<string, Value> {
    return systemInfo(this.#core.builtinHost(), this.name);
  }

  /** What `meshrpc status` shows for this node. */
  status(): NodeStatus {
    return nodeStatus(this.#core);
  }

  /**
   * Stops cleanly: stops accepting, lets calls in flight finish (up to the
   * shutdown timeout), says bye to peers, unregisters from the port mapper,
   * removes the control socket, ends event iterators. Never rejects; a
   * second call waits for the first.
   */
  stop(): Promise<void> {
    return this.#core.stop();
  }

  /** `await using`: stops the node (see `stop`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
