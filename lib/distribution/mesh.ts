/**
 * The node's links to other nodes: dialing and accepting (with the
 * handshake), one link per pair of nodes, the transitive full mesh, and
 * `nodeup`/`nodedown`. The node hands it a `dial` function and a handler for
 * what peers ask; the mesh opens no sockets itself.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { NodeEvents } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { parseNodeName } from "../core/name.ts";
import { noconnection, type NoConnection } from "../result.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { PeerAddress } from "./frames.ts";
import { channelOf, type Handoff } from "./channel.ts";
import type { HandshakeResult, NodeIdentity } from "./handshake.ts";
import { acceptHandshake, type Admission } from "./handshake_acceptor.ts";
import { dialHandshake } from "./handshake_dialer.ts";
import { Link } from "./link.ts";
import type { LinkHandler } from "./link_handler.ts";

export interface MeshOptions {
  self: NodeIdentity;
  cookie: string;
  ticktimeMs: number;
  /** Dial plus handshake, per attempt. */
  setupTimeoutMs: number;
  /**
   * Opens a connection to a node, given as `name@host` or `name@host:port`.
   * Rejects with an Error whose message says why (no mapper, unknown name,
   * refused); the mesh turns it into `noconnection`.
   */
  dial(node: string): Promise<Transport>;
  /** What to do with calls and casts from peers. */
  handler: Omit<LinkHandler, "peers">;
  events: NodeEvents;
  log: Logger;
  limits?: Limits;
  clock?: Clock;
  onRefused?(): void;
}

export type Connected = { kind: "ok"; link: Link };
export type ConnectResult = Connected | NoConnection;

/** Reconnection backoff for `--join` nodes: 0.5 s doubling up to 30 s. */
const BACKOFF_MS = { first: 500, max: 30_000 };

type Entry = { link: Link; initiator: string };

export class Mesh {
  #o: MeshOptions;
  #clock: Clock;
  #links = new Map<string, Entry>();
  /** Outgoing and incoming set-ups in progress, by node name. */
  #dialing = new Map<string, Promise<ConnectResult>>();
  #inbound = new Map<string, Promise<HandshakeResult>>();
  #waiters = new Map<string, Set<(link: Link) => void>>();
  #kept = new Map<string, { cancel(): void }>();
  #closed = false;

  constructor(options: MeshOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  get self(): string {
    return this.#o.self.name;
  }

  /** Names of visible connected nodes, sorted. */
  nodes(): string[] {
    return [...this.#links.values()].filter((e) => !e.link.peer.hidden).map((e) => e.link.peer.name).sort();
  }

  hiddenNodes(): string[] {
    return [...this.#links.values()].filter((e) => e.link.peer.hidden).map((e) => e.link.peer.name).sort();
  }

  link(name: string): Link | undefined {
    return this.#links.get(name)?.link;
  }

  /** Outgoing calls waiting for replies, over every link. */
  pendingCalls(): number {
    let n = 0;
    for (const e of this.#links.values()) n += e.link.pendingCount;
    return n;
  }

  /**
   * The link to `node` (`name@host` or `name@host:port`), connecting first if
   * needed (Erlang's auto-connect). Resolves `noconnection` with the reason
   * when the node cannot be reached or refuses; never rejects.
   */
  connect(node: string): Promise<ConnectResult> {
    let name: string;
    try {
      name = parseNodeName(node).full;
    } catch (err) {
      return Promise.resolve(noconnection(node, (err as Error).message));
    }
    const existing = this.#links.get(name);
    if (existing) return Promise.resolve({ kind: "ok", link: existing.link });
    if (this.#closed) return Promise.resolve(noconnection(name, "this node is shutting down"));
    if (name === this.self) return Promise.resolve(noconnection(name, "a node does not connect to itself"));
    const pending = this.#dialing.get(name);
    if (pending) return pending;
    // That node is dialing this one: its link will do, unless its handshake fails (then dial).
    const inbound = this.#inbound.get(name);
    if (inbound) return inbound.then(() => this.connect(node));

    const attempt = this.#dial(name, node).finally(() => this.#dialing.delete(name));
    this.#dialing.set(name, attempt);
    return attempt;
  }

  /** Takes a connection from a node that dialed this one; runs the handshake. */
  accept(transport: Transport): void {
    if (this.#closed) {
      transport.close(1001, "node is shutting down");
      return;
    }
    const ch = channelOf(transport, { limits: this.#o.limits, clock: this.#clock });
    let peerName: string | undefined;
    const handshake = acceptHandshake(ch, {
      self: this.#o.self,
      cookie: this.#o.cookie,
      timeoutMs: this.#o.setupTimeoutMs,
      clock: this.#clock,
      admit: (peer) => {
        const verdict = this.#admit(peer);
        if (verdict === "ok") {
          peerName = peer.name;
          this.#inbound.set(peer.name, handshake);
        }
        return verdict;
      },
    });
    handshake.then((result) => {
      if (peerName && this.#inbound.get(peerName) === handshake) this.#inbound.delete(peerName);
      if (result.kind === "refused") {
        this.#refused(peerName ?? `a node at ${transport.remoteAddress}`, result, "accepting");
        transport.close(4000, result.reason);
        return;
      }
      this.#register(this.#open(transport, result.peer, ch.release()), result.peer.name);
    });
  }

  /** Closes the link to `node` (a `bye` tells the peer); false if there was none. */
  disconnect(node: string, reason = "disconnected"): boolean {
    this.#kept.get(node)?.cancel();
    const entry = this.#links.get(node);
    if (!entry) return false;
    entry.link.close(reason);
    return true;
  }

  /**
   * Keeps `node` connected, as `--join` asks: connects now and again after
   * every nodedown, retrying with backoff while it is unreachable.
   */
  keepConnected(node: string): void {
    let name: string;
    try {
      name = parseNodeName(node).full;
    } catch (err) {
      this.#o.log.error("join_invalid", { node, message: (err as Error).message });
      return;
    }
    if (this.#kept.has(name) || name === this.self) return;
    let timer: unknown;
    let delay = BACKOFF_MS.first;
    let cancelled = false;
    const attempt = async () => {
      if (cancelled || this.#closed) return;
      const r = await this.connect(node);
      if (cancelled || this.#closed) return;
      if (r.kind === "ok") {
        delay = BACKOFF_MS.first;
        return;
      }
      this.#o.log.warn("join_retry", { node: name, reason: r.reason, retry_in_ms: delay });
      timer = this.#clock.setTimeout(attempt, delay);
      delay = Math.min(delay * 2, BACKOFF_MS.max);
    };
    const off = this.#o.events.on("nodedown", (e) => {
      if (e.node === name && !cancelled) timer = this.#clock.setTimeout(attempt, BACKOFF_MS.first);
    });
    this.#kept.set(name, {
      cancel: () => {
        cancelled = true;
        off();
        this.#clock.clearTimeout(timer);
        this.#kept.delete(name);
      },
    });
    attempt();
  }

  /** Says `bye` on every link and stops reconnecting; new connections are refused. */
  close(reason = "shutdown"): void {
    this.#closed = true;
    for (const k of [...this.#kept.values()]) k.cancel();
    for (const e of [...this.#links.values()]) e.link.close(reason);
  }

  // ---- setting links up ----

  async #dial(name: string, address: string): Promise<ConnectResult> {
    let transport: Transport;
    try {
      transport = await this.#o.dial(address);
    } catch (err) {
      return noconnection(name, (err as Error).message);
    }
    const ch = channelOf(transport, { limits: this.#o.limits, clock: this.#clock });
    const result = await dialHandshake(ch, {
      self: this.#o.self,
      cookie: this.#o.cookie,
      expected: name,
      timeoutMs: this.#o.setupTimeoutMs,
      clock: this.#clock,
    });
    if (result.kind === "refused") {
      transport.close(4000, result.reason);
      // The peer is setting up the link from its side: that one will carry our calls.
      if (result.reason === "simultaneous" || result.reason === "duplicate") return this.#awaitLink(name);
      this.#refused(name, result, "dialing");
      return noconnection(name, result.message);
    }
    const kept = this.#register(this.#open(transport, result.peer, ch.release()), this.self);
    return kept ? { kind: "ok", link: kept } : noconnection(name, `the connection to ${name} closed right after the handshake`);
  }

  /** Erlang's rule for two nodes dialing each other: the smaller name's connection wins. */
  #admit(peer: NodeIdentity): Admission {
    if (this.#closed) return "duplicate";
    const existing = this.#links.get(peer.name);
    if (existing && existing.link.peer.creation === peer.creation) return "duplicate";
    if (this.#dialing.has(peer.name) && this.self < peer.name) return "simultaneous";
    // Two set-ups from one name (before either authenticated) both go on: #register keeps one.
    return "ok";
  }

  #open(transport: Transport, peer: NodeIdentity, handoff: Handoff): Link {
    const link: Link = new Link(transport, {
      self: this.#o.self,
      peer,
      ticktimeMs: this.#o.ticktimeMs,
      clock: this.#clock,
      limits: this.#o.limits,
      handoff,
      handler: {
        call: this.#o.handler.call,
        cast: this.#o.handler.cast,
        peers: (nodes) => this.#learn(nodes, peer),
      },
      // A transport that is already closed reports it from inside the constructor.
      onDown: (reason) => queueMicrotask(() => this.#down(link, reason)),
    });
    return link;
  }

  /**
   * Makes `link` the link to its peer, unless one already is: of two links
   * between the same incarnations, both sides keep the one the smaller name
   * dialed. Returns the link that is kept, or undefined when `link` is
   * already down.
   */
  #register(link: Link, initiator: string): Link | undefined {
    if (!link.isUp) return undefined;
    const name = link.peer.name;
    const existing = this.#links.get(name);
    if (existing && existing.link.peer.creation === link.peer.creation) {
      const keepExisting = existing.initiator < initiator;
      const loser = keepExisting ? link : existing.link;
      if (!keepExisting) this.#links.set(name, { link, initiator });
      loser.close("duplicate link");
      return keepExisting ? existing.link : link;
    }
    if (existing) {
      // The peer restarted: the old link belongs to a process that is gone.
      this.#links.delete(name);
      existing.link.close("peer restarted");
      this.#emitDown(name, "peer restarted");
    }
    this.#links.set(name, { link, initiator });
    this.#o.log.info("nodeup", { node: name, hidden: link.peer.hidden || undefined });
    this.#o.events.emit({ type: "nodeup", node: name, hidden: link.peer.hidden, time: Date.now() });
    for (const resolve of this.#waiters.get(name) ?? []) resolve(link);
    this.#waiters.delete(name);
    if (!this.#o.self.hidden && !link.peer.hidden) link.sendPeers(this.#peerList(name));
    return link;
  }

  #down(link: Link, reason: string): void {
    const name = link.peer.name;
    if (this.#links.get(name)?.link !== link) return;
    this.#links.delete(name);
    this.#emitDown(name, reason);
  }

  #emitDown(name: string, reason: string): void {
    this.#o.log.info("nodedown", { node: name, reason });
    this.#o.events.emit({ type: "nodedown", node: name, reason, time: Date.now() });
  }

  #refused(peer: string, result: Extract<HandshakeResult, { kind: "refused" }>, side: string): void {
    this.#o.onRefused?.();
    this.#o.log.warn("handshake_refused", { node: peer, side, reason: result.reason, message: result.message });
  }

  /** The transitive mesh: connect to the nodes a peer knows. Hidden nodes stay out of it. */
  #learn(nodes: PeerAddress[], from: NodeIdentity): void {
    if (this.#o.self.hidden || from.hidden || this.#closed) return;
    for (const { name, port } of nodes) {
      if (name === this.self || this.#links.has(name) || this.#dialing.has(name)) continue;
      this.connect(`${name}:${port}`).then((r) => {
        if (r.kind !== "ok") this.#o.log.warn("mesh_connect_failed", { node: name, via: from.name, reason: r.reason });
      });
    }
  }

  #peerList(except: string): PeerAddress[] {
    return [...this.#links.values()]
      .map((e) => e.link.peer)
      .filter((p) => !p.hidden && p.name !== except)
      .map((p) => ({ name: p.name, port: p.port }));
  }

  #awaitLink(name: string): Promise<ConnectResult> {
    const existing = this.#links.get(name);
    if (existing) return Promise.resolve({ kind: "ok", link: existing.link });
    return new Promise((resolve) => {
      const set = this.#waiters.get(name) ?? new Set();
      this.#waiters.set(name, set);
      const done = (link: Link) => {
        this.#clock.clearTimeout(timer);
        resolve({ kind: "ok", link });
      };
      const timer = this.#clock.setTimeout(() => {
        set.delete(done);
        resolve(noconnection(name, `${name} was connecting to this node at the same time, and that did not complete`));
      }, this.#o.setupTimeoutMs);
      set.add(done);
    });
  }
}
