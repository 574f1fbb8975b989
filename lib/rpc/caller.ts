/**
 * call, cast, multicall and ping, as `erpc` defines them: local calls run
 * here, the rest go over the mesh (connecting first when needed). Every
 * outcome is a CallResult; nothing here rejects but with the reason of an
 * aborted `signal` (the caller gave up: there is no outcome to report).
 * Calls that arrive here are run by `Serving` (serving.ts).
 *
 * @module
 */
import { decode } from "../codec/cbor_decode.ts";
import { encode } from "../codec/cbor_encode.ts";
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { parseNodeName } from "../core/name.ts";
import type { ConnectResult, Mesh } from "../distribution/mesh.ts";
import type { Link } from "../distribution/link.ts";
import type { IncomingCall, IncomingCast } from "../distribution/link_handler.ts";
import {
  badarg,
  type BadArg,
  type CallResult,
  DEFAULT_CALL_TIMEOUT_MS,
  exception,
  type Kind,
  type NodeResult,
  timeout,
  type Value,
} from "../result.ts";
import type { CallOptions, MulticallOptions, NodeApi } from "./context.ts";
import type { CallStats } from "./call_stats.ts";
import { InFlight } from "./in_flight.ts";
import { checkCall } from "./request.ts";
import { Serving } from "./serving.ts";
import type { NodeTransport } from "./transport.ts";
import type { Modules } from "./modules.ts";

export interface RpcOptions {
  self: string;
  /** What called functions get as `this.rpc`. */
  api: NodeApi;
  modules: Modules;
  mesh: Mesh;
  /** Nodes reached another way (Erlang's own distribution): asked first for a node the mesh has no link to. */
  other?: NodeTransport;
  /** Counts each outcome (for /metrics). */
  count?(direction: "served" | "made", kind: Kind): void;
  /** Per function figures of the calls served here (for the dashboard). */
  stats?: CallStats;
}

/** Calls to this node copy values as a remote call would, so both behave alike. */
function copy(value: unknown): Value {
  return decode(encode(value));
}

function copyArgs(module: string, fn: string, args: Value[]): Value[] | BadArg {
  try {
    return copy(args) as Value[];
  } catch (err) {
    return badarg(`The arguments of ${module}.${fn} cannot be sent: ${(err as Error).message}`);
  }
}

/** `promise`'s value, or undefined once `ms` passed (a peer that accepts TCP but never answers). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return deadline(promise, ms).catch((err) => {
    if (isTimeoutError(err)) return undefined;
    throw err;
  });
}

export class Rpc {
  #o: RpcOptions;
  #inFlight = new InFlight();
  #serving: Serving;

  constructor(options: RpcOptions) {
    this.#o = options;
    const host = { self: options.self, api: options.api };
    this.#serving = new Serving({ modules: options.modules, host, inFlight: this.#inFlight, count: options.count, stats: options.stats });
  }

  /**
   * Calls in flight through this node: served here (from links, HTTP or
   * this node), or made from here (by HTTP forwards, the control plane,
   * running functions' `this.rpc`, library users) and still waiting.
   */
  get inFlight(): number {
    return this.#inFlight.count;
  }

  /** Resolves when no call is in flight (see `inFlight`). */
  idle(): Promise<void> {
    return this.#inFlight.idle();
  }

  /**
   * `hoge@localhost`, also when written `hoge@localhost:4001` or
   * `hoge@LOCALHOST`. `linked` is the link to `node`, for a caller that has
   * looked it up already.
   */
  #isSelf(node: string, linked = this.#o.mesh.link(node)): boolean {
    if (node === this.#o.self) return true;
    // A linked node is another node, however its name is spelt.
    if (linked) return false;
    try {
      return parseNodeName(node).full === this.#o.self;
    } catch {
      return false;
    }
  }

  /**
   * Runs a call on `node` and resolves with its one outcome. Rejects with
   * `options.signal.reason` when the signal aborts first (the callee is sent
   * a cancel); an already aborted signal rejects before anything is sent.
   */
  call(node: string, module: string, fn: string, args: Value[], options: CallOptions = {}): Promise<CallResult> {
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      return Promise.resolve(badarg(`signal must be an AbortSignal, got ${typeof signal}`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A library caller can pass anything at run time, and a frame the peer cannot decode would drop the link.
    const invalid = checkCall({ node, module, function: fn, args, timeout: options.timeoutMs });
    if (invalid) return Promise.resolve(this.#made(invalid));
    this.#inFlight.begin();
    // The caller's signal only: the call's own timeout is the callee's and the link's to report.
    const outcome = deadline(this.#call(node, module, fn, args, options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, signal), Infinity, signal);
    return outcome.then(this.#ended, this.#abandoned);
  }

  // Bound once: a call's continuations allocate no closures.
  #made = (result: CallResult): CallResult => {
    this.#o.count?.("made", result.kind);
    return result;
  };
  #ended = (result: CallResult): CallResult => {
    this.#inFlight.end();
    return this.#made(result);
  };
  #abandoned = (reason: unknown): never => {
    this.#inFlight.end();
    throw reason;
  };

  /** The usual case, a link with room, is the link's own promise; the rest waits in `#connectAndCall`. */
  #call(
    node: string,
    module: string,
    fn: string,
    args: Value[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<CallResult> {
    const linked = this.#o.mesh.link(node);
    if (this.#isSelf(node, linked)) return this.#callSelf(module, fn, args, timeoutMs, signal);
    // Asked once: a congested link hands out the wait it queued this call in.
    const busy = linked?.writable();
    if (linked && !busy) return linked.call(module, fn, args, { timeoutMs, signal });
    return this.#connectAndCall(node, module, fn, args, timeoutMs, signal, linked, busy);
  }

  /** A call to this node, its values copied both ways as a remote call's would be. */
  async #callSelf(module: string, fn: string, args: Value[], timeoutMs: number, signal: AbortSignal | undefined): Promise<CallResult> {
    const copied = copyArgs(module, fn, args);
    if (!Array.isArray(copied)) return copied;
    const result = await this.serve({ caller: this.#o.self, module, function: fn, args: copied, timeoutMs, signal });
    if (result.kind !== "ok") return result;
    try {
      return { kind: "ok", value: copy(result.value) };
    } catch (err) {
      return exception("EncodeError", `${module}.${fn} returned a value that cannot be sent: ${(err as Error).message}`);
    }
  }

  /** A call that waits first: for another transport, a connection, or room on a congested link (`busy`). */
  async #connectAndCall(
    node: string,
    module: string,
    fn: string,
    args: Value[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    linked: Link | undefined,
    busy: Promise<void> | undefined,
  ): Promise<CallResult> {
    const claim = linked ? undefined : this.#other(node);
    const other = claim && await claim;
    if (other) return await other.call(node, module, fn, args, { timeoutMs, signal });
    // Connecting, or waiting while the link is congested, counts against the call's timeout.
    const started = Date.now();
    const ready = linked ? busy!.then((): ConnectResult => ({ kind: "ok", link: linked })) : this.#ready(node);
    const conn = await withDeadline(ready, timeoutMs);
    if (conn === undefined) return timeout(node, timeoutMs);
    if (conn.kind !== "ok") return conn;
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) return timeout(conn.link.peer.name, timeoutMs);
    // Aborted while waiting: the caller has its rejection already; send nothing.
    signal?.throwIfAborted();
    const result = await conn.link.call(module, fn, args, { timeoutMs: left, signal });
    // The caller asked for timeoutMs; connecting took part of it.
    return result.kind === "timeout" ? timeout(result.node, timeoutMs) : result;
  }

  /**
   * The other transport when it claims `node` (a meshrpc link to it takes
   * precedence); undefined at once, without a promise, when there is none.
   */
  #other(node: string): Promise<NodeTransport | undefined> | undefined {
    const other = this.#o.other;
    if (!other || this.#o.mesh.link(node)) return undefined;
    return other.claims(node).then((claimed) => (claimed ? other : undefined));
  }

  /** Visible connected nodes, both meshrpc and other ones. */
  nodes(): string[] {
    return [...this.#o.mesh.nodes(), ...(this.#o.other?.nodes() ?? [])];
  }

  /** Runs a call that arrived here (from a link, HTTP, or this node itself): see `Serving`. */
  serve(req: Omit<IncomingCall, "signal"> & { signal?: AbortSignal }): CallResult | Promise<CallResult> {
    return this.#serving.serve(req);
  }

  /** A cast that arrived here: run it, keep nothing but the count. */
  serveCast(req: IncomingCast): void {
    this.#serving.serveCast(req);
  }

  /**
   * Sends a call without waiting for its outcome. Resolves `ok(true)` once
   * it is on its way, `noconnection` or `badarg` when it cannot be sent.
   */
  async cast(node: string, module: string, fn: string, args: Value[]): Promise<CallResult> {
    const invalid = checkCall({ node, module, function: fn, args });
    if (invalid) return invalid;
    const linked = this.#o.mesh.link(node);
    if (this.#isSelf(node, linked)) {
      const copied = copyArgs(module, fn, args);
      if (!Array.isArray(copied)) return copied;
      this.serveCast({ caller: this.#o.self, module, function: fn, args: copied });
      return { kind: "ok", value: true };
    }
    // The usual case, a linked node with room on its link, needs no wait at all.
    if (linked) {
      // Asked once: a congested link hands out the wait it queued this cast in.
      const busy = linked.writable();
      if (busy) await busy;
      return linked.cast(module, fn, args);
    }
    const claim = this.#other(node);
    const other = claim && await claim;
    if (other) return await other.cast(node, module, fn, args);
    const conn = await this.#ready(node);
    return conn.kind === "ok" ? conn.link.cast(module, fn, args) : conn;
  }

  /** The link to `node`, connected and ready to take a frame: a sender that outruns it waits here. */
  async #ready(node: string): Promise<ConnectResult> {
    const conn = await this.#o.mesh.connect(node);
    if (conn.kind === "ok") await conn.link.writable();
    return conn;
  }

  /**
   * Calls every node in parallel; one result per node, in the order of
   * `options.nodes`; without nodes: this node and every visible node
   * (`rpc:multicall/3`). Rejects with the signal's reason when it aborts
   * first, with a TypeError when `nodes` is not an array.
   */
  multicall(module: string, fn: string, args: Value[], options: MulticallOptions = {}): Promise<NodeResult[]> {
    const nodes = options.nodes;
    if (nodes !== undefined && !Array.isArray(nodes)) {
      return Promise.reject(new TypeError(`multicall's nodes must be an array of node names, got ${typeof nodes}`));
    }
    const targets = nodes ?? [this.#o.self, ...this.nodes()];
    // One call per node and one continuation for them all: no async frame per node.
    return Promise.all(targets.map((node) => this.call(node, module, fn, args, options)))
      .then((results) => results.map((result, i) => ({ node: targets[i], result })));
  }

  /** `pong` when `node` is (or can be) connected, `pang` otherwise, as `net_adm:ping/1`. */
  async ping(node: string): Promise<"pong" | "pang"> {
    if (this.#isSelf(node)) return "pong";
    const claim = this.#other(node);
    const other = claim && await claim;
    if (other) return await other.ping(node);
    return (await this.#o.mesh.connect(node)).kind === "ok" ? "pong" : "pang";
  }
}
