/**
 * This node's Erlang peers: the table of authenticated connections by node
 * name (byte-exact, as Erlang compares them), set up by dialling (the peer's
 * port from epmd) or accepting, and the calls, casts and pings that go over
 * them. nodeup/nodedown fire as for meshrpc peers. Protocol only: the
 * runtime's TCP, the port lookup and the node's call path are handed in.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { NodeEvents } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { Admission, isOwnHost } from "../core/admission.ts";
import { LogLimit } from "../core/log_limit.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import { type CallResult, noconnection, timeout, type Value } from "../result.ts";
import { type ConnectionHandler, ErlConnection } from "./connection.ts";
import { parseControl } from "./control.ts";
import { acceptErlang, type AdmitStatus, dialErlang, type ErlHandshakeOptions } from "./handshake.ts";
import { type ErlIncomingCall, Inbound } from "./inbound.ts";
import { LocalIds } from "./local_ids.ts";
import { Outbound } from "./outbound.ts";
import type { ByteStream, Clock } from "./packets.ts";
import { ErlSocket } from "./socket.ts";

export interface ErlangPeersOptions {
  self: { name: string; creation: number; hidden: boolean };
  cookie: string;
  ticktimeMs: number;
  setupTimeoutMs: number;
  clock: Clock;
  limits: Limits;
  log: Logger;
  events: NodeEvents;
  /** The port `node` takes distribution connections on, from epmd; undefined when it is not registered. */
  lookup(node: string): Promise<number | undefined>;
  /** Opens a TCP connection to `node`'s host at `port`; rejects when it cannot. */
  connect(node: string, port: number): Promise<ByteStream>;
  /** Runs a call through the node's call path; never rejects. */
  call(req: ErlIncomingCall): Promise<CallResult>;
  /** Whether an unconnected `node` is an Erlang node (its host's epmd knows it); never rejects. */
  isErlang(node: string): Promise<boolean>;
}

/** Accepted connections that may be in their handshake at once, as for meshrpc links: 128 in all, 16 from one source. */
const HANDSHAKES = { maxTotal: 128, maxPerSource: 16 };

export type Connected = { kind: "ok"; conn: ErlConnection } | ReturnType<typeof noconnection>;

/** Implements `NodeTransport` of lib/rpc (structurally: this folder sits below it). */
export class ErlangPeers {
  #o: ErlangPeersOptions;
  #conns = new Map<string, ErlConnection>();
  #dialing = new Map<string, Promise<Connected>>();
  /** Names once connected over this protocol: still Erlang nodes when they are gone. */
  #known = new Set<string>();
  #inbound: Inbound;
  #outbound: Outbound;
  #handler: ConnectionHandler;
  #closed = false;
  /** Accepted connections still in their handshake. */
  #handshaking = new Admission(HANDSHAKES);
  /** Refusals of strangers are logged at a bounded rate per source. */
  #refusals = new LogLimit();

  constructor(options: ErlangPeersOptions) {
    this.#o = options;
    const ids = new LocalIds(options.self.name, options.self.creation);
    this.#inbound = new Inbound({
      ids,
      call: options.call,
      onEncodeFailure: (what, err) => options.log.warn("erlang_encode_failed", { what, error: err.message }),
    });
    this.#outbound = new Outbound({
      ids,
      onOutput: (node, text) => options.log.info("erlang_output", { node, text: clipUntrusted(text, 1000) }),
    });
    this.#handler = {
      message: (conn, control, payload) => {
        let c;
        try {
          c = parseControl(control, payload);
        } catch (err) {
          options.log.warn("erlang_bad_message", { node: conn.peer.name, error: (err as Error).message });
          conn.close(`malformed control message: ${(err as Error).message}`);
          return;
        }
        if (!this.#outbound.handle(conn, c, payload)) this.#inbound.handle(conn, c, payload);
      },
      down: (conn, reason) => this.#down(conn, reason),
    };
  }

  /** Connected visible Erlang nodes. */
  nodes(): string[] {
    return [...this.#conns.values()].filter((c) => !this.#hidden(c)).map((c) => c.peer.name);
  }

  /** Connected hidden Erlang nodes. */
  hiddenNodes(): string[] {
    return [...this.#conns.values()].filter((c) => this.#hidden(c)).map((c) => c.peer.name);
  }

  /** As in Erlang, a connection is hidden when either side is. */
  #hidden(c: ErlConnection): boolean {
    return c.peer.hidden || this.#o.self.hidden;
  }

  /** True when `node` is connected over the Erlang protocol. */
  connected(node: string): boolean {
    return this.#conns.has(node);
  }

  /** True when calls to `node` go over the Erlang protocol: connected so (now or before), or an Erlang node by its host's epmd. */
  async claims(node: string): Promise<boolean> {
    return this.#conns.has(node) || this.#dialing.has(node) || this.#known.has(node) || await this.#o.isErlang(node);
  }

  /** Takes a connection an Erlang node opened to this one: the handshake, then the table. */
  accept(stream: ByteStream): void {
    const sock = new ErlSocket(stream, this.#o.clock);
    if (this.#closed) return sock.close("the node is stopping");
    // Strangers cannot hold more than this many sockets and buffers open before proving the cookie.
    const from = sock.remoteAddress;
    const leave = this.#handshaking.enter(from, { perSource: !isOwnHost(from) });
    if (typeof leave !== "function") {
      const whose = leave.limit === "total" ? "in all" : `from ${clipUntrusted(from)}`;
      this.#refused(from, { reason: "busy", message: `${leave.max} handshakes in progress ${whose}` });
      return sock.close("too many handshakes in progress");
    }
    void acceptErlang(sock, (name) => this.#admit(name), this.#handshakeOptions()).then((r) => {
      leave();
      if (r.kind !== "ok") {
        this.#refused(sock.remoteAddress, { reason: r.reason, message: r.message });
        return sock.close(r.message);
      }
      this.#conns.get(r.peer.name)?.close("replaced by a new connection from the same node");
      this.#up(new ErlConnection(sock, r.peer, this.#connectionOptions()));
    });
  }

  /**
   * The connection to `node`, opening it when there is none (its port from
   * epmd, then the handshake). Resolves `noconnection` with the reason when
   * it cannot be had; never rejects.
   */
  connect(node: string): Promise<Connected> {
    const conn = this.#conns.get(node);
    if (conn) return Promise.resolve({ kind: "ok", conn });
    if (this.#closed) return Promise.resolve(noconnection(node, "this node is stopping"));
    let dial = this.#dialing.get(node);
    if (!dial) {
      dial = this.#dial(node).finally(() => this.#dialing.delete(node));
      this.#dialing.set(node, dial);
    }
    return dial;
  }

  async #dial(node: string): Promise<Connected> {
    let sock: ErlSocket;
    try {
      const port = await this.#o.lookup(node);
      if (port === undefined) return noconnection(node, `epmd on its host knows no node ${node.split("@")[0]}`);
      sock = new ErlSocket(await this.#o.connect(node, port), this.#o.clock);
    } catch (err) {
      return noconnection(node, (err as Error).message);
    }
    const r = await dialErlang(sock, node, this.#handshakeOptions());
    if (r.kind !== "ok") {
      sock.close(r.message);
      // Both dialled at once and the peer's dial won: its connection is the one.
      const won = this.#conns.get(node);
      if (won) return { kind: "ok", conn: won };
      this.#o.log.warn("erlang_handshake_refused", { to: node, reason: r.reason, message: r.message });
      return noconnection(node, r.message);
    }
    const conn = this.#conns.get(node);
    // An accepted connection from the same node won the race.
    if (conn) {
      sock.close("a connection to this node is already up");
      return { kind: "ok", conn };
    }
    const fresh = new ErlConnection(sock, r.peer, this.#connectionOptions());
    this.#up(fresh);
    return { kind: "ok", conn: fresh };
  }

  /**
   * Calls `module:fn(...args)` on Erlang node `node`, connecting first (which
   * counts against `timeoutMs`). Resolves one CallResult; rejects only with
   * `signal.reason`.
   */
  async call(node: string, module: string, fn: string, args: Value[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<CallResult> {
    const started = this.#o.clock.now();
    const c = await this.connect(node);
    if (c.kind !== "ok") return c;
    const left = options.timeoutMs - (this.#o.clock.now() - started);
    if (left <= 0) return timeout(node, options.timeoutMs);
    options.signal?.throwIfAborted();
    const r = await this.#outbound.call(c.conn, module, fn, args, left, options.signal);
    return r.kind === "timeout" ? timeout(node, options.timeoutMs) : r;
  }

  /** Spawns `module:fn(...args)` on `node` without waiting: ok once sent. */
  async cast(node: string, module: string, fn: string, args: Value[]): Promise<CallResult> {
    const c = await this.connect(node);
    return c.kind === "ok" ? this.#outbound.cast(c.conn, module, fn, args) : c;
  }

  /** `pong` when `node` can be connected and its net_kernel accepts this node, as `net_adm:ping/1`. */
  async ping(node: string): Promise<"pong" | "pang"> {
    const c = await this.connect(node);
    if (c.kind !== "ok") return "pang";
    return (await this.#outbound.isAuth(c.conn, this.#o.setupTimeoutMs)) ? "pong" : "pang";
  }

  /** Closes the connection to `node`; false when there was none. */
  disconnect(node: string): boolean {
    const conn = this.#conns.get(node);
    conn?.close("disconnected by this node");
    return conn !== undefined;
  }

  /** Closes every connection and refuses new ones. */
  close(reason: string): void {
    this.#closed = true;
    for (const conn of [...this.#conns.values()]) conn.close(reason);
  }

  #refused(from: string, fields: { reason: string; message: string }): void {
    const suppressed = this.#refusals.admit(from);
    if (suppressed === undefined) return;
    this.#o.log.warn("erlang_handshake_refused", { from: clipUntrusted(from), ...fields, suppressed: suppressed || undefined });
  }

  /** Before authentication, only to settle who keeps which connection. */
  #admit(name: string): AdmitStatus {
    if (this.#closed) return "not_allowed";
    if (this.#conns.has(name)) return "alive";
    // Both dialling at once: the greater name's dial wins, as dist_util decides.
    if (this.#dialing.has(name)) return this.#o.self.name > name ? "nok" : "ok_simultaneous";
    return "ok";
  }

  #up(conn: ErlConnection): void {
    this.#conns.set(conn.peer.name, conn);
    this.#known.add(conn.peer.name);
    this.#o.log.info("erlang_nodeup", { node: conn.peer.name, hidden: this.#hidden(conn) || undefined });
    this.#o.events.emit({ type: "nodeup", node: conn.peer.name, hidden: this.#hidden(conn), time: Date.now() });
  }

  #down(conn: ErlConnection, reason: string): void {
    this.#outbound.connectionDown(conn, reason);
    this.#inbound.connectionDown(conn);
    if (this.#conns.get(conn.peer.name) !== conn) return;
    this.#conns.delete(conn.peer.name);
    this.#o.log.info("erlang_nodedown", { node: conn.peer.name, reason: clipUntrusted(reason) });
    this.#o.events.emit({ type: "nodedown", node: conn.peer.name, reason, time: Date.now() });
  }

  #handshakeOptions(): ErlHandshakeOptions {
    return { self: this.#o.self, cookie: this.#o.cookie, timeoutMs: this.#o.setupTimeoutMs, clock: this.#o.clock };
  }

  #connectionOptions() {
    return { clock: this.#o.clock, ticktimeMs: this.#o.ticktimeMs, handler: this.#handler, limits: this.#o.limits };
  }
}
