/**
 * The node's links to other nodes: dialing and accepting (with the
 * handshake), the transitive full mesh, and `nodeup`/`nodedown`. The table
 * that keeps one link per pair of nodes is `link_table.ts`; keeping `--join`
 * nodes connected is `join.ts`; dialing the nodes that peers name, a few at
 * a time, is `mesh_dials.ts`. The node hands it a `dial` function and a
 * handler for what peers ask; the mesh opens no sockets itself.
 *
 * @module
 */
import { parseNodeName } from "../core/name.ts";
import { noconnection } from "../result.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { PeerAddress } from "./frames.ts";
import { channelOf, type Handoff } from "./channel.ts";
import type { NodeIdentity } from "./handshake.ts";
import { acceptHandshake, type Verdict } from "./handshake_acceptor.ts";
import { dialHandshake } from "./handshake_dialer.ts";
import { Joined } from "./join.ts";
import type { Link } from "./link.ts";
import { LinkTable } from "./link_table.ts";
import { MeshDials } from "./mesh_dials.ts";
import { MeteredLink } from "./metered_link.ts";
import type { ConnectResult, MeshOptions } from "./mesh_options.ts";
import { DEFAULT_ADMISSION, Strangers } from "./strangers.ts";

export type { Connected, ConnectResult, MeshOptions } from "./mesh_options.ts";

export class Mesh {
  #o: MeshOptions;
  #clock: Clock;
  #links = new LinkTable();
  /** Outgoing set-ups in progress, by node name. */
  #dialing = new Map<string, Promise<ConnectResult>>();
  /** The nodes peers told this one about, dialed a few at a time. */
  #meshDials: MeshDials;
  /** Connections not authenticated yet: how many at once, and what they may log. */
  #strangers: Strangers;
  #joined: Joined;
  #closed = false;

  constructor(options: MeshOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#strangers = new Strangers(options.admission ?? DEFAULT_ADMISSION, options.log, options.onRefused);
    this.#joined = new Joined({
      connect: (node) => this.connect(node),
      events: options.events,
      log: options.log,
      clock: this.#clock,
    });
    this.#meshDials = new MeshDials({
      connect: (name, address) => this.#meshConnect(name, address),
      linked: (name) => this.#links.get(name) !== undefined || name === this.self,
      log: options.log,
      clock: this.#clock,
    });
  }

  get self(): string {
    return this.#o.self.name;
  }

  /** Names of visible connected nodes, sorted. */
  nodes(): string[] {
    return this.#links.names(false);
  }

  hiddenNodes(): string[] {
    return this.#links.names(true);
  }

  /**
   * The link to `node` when it is up, however the name is spelt (with a
   * port, the host in capitals): a call to a linked node never waits for
   * `connect`.
   */
  link(node: string): Link | undefined {
    const link = this.#links.get(node);
    if (link) return link;
    try {
      return this.#links.get(parseNodeName(node).full);
    } catch {
      return undefined;
    }
  }

  /** Outgoing calls waiting for replies, over every link. */
  pendingCalls(): number {
    return this.#links.pendingCalls();
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
    if (existing) return Promise.resolve({ kind: "ok", link: existing });
    if (this.#closed) return Promise.resolve(noconnection(name, "this node is shutting down"));
    if (name === this.self) return Promise.resolve(noconnection(name, "a node does not connect to itself"));
    const pending = this.#dialing.get(name);
    if (pending) return pending;
    // An incoming set-up that claims this name is not waited for: until it
    // authenticates, it may be anyone (a stranger could hold the name
    // forever). If both succeed, the link table keeps one.
    const attempt = this.#dial(name, node).finally(() => this.#dialing.delete(name));
    this.#dialing.set(name, attempt);
    return attempt;
  }

  /**
   * Takes a connection from a node that dialed this one; runs the handshake.
   * Only so many connections may be in their handshake at once, overall and
   * per source address (see `admission.ts`): over that, it is closed at once.
   */
  accept(transport: Transport): void {
    if (this.#closed) {
      transport.close(1001, "node is shutting down");
      return;
    }
    const source = transport.remoteAddress;
    const leave = this.#strangers.enter(source);
    if (!leave) {
      transport.close(1013, "too many connections in their handshake: try again later");
      return;
    }
    const ch = channelOf(transport, { limits: this.#o.limits, clock: this.#clock });
    let peerName: string | undefined;
    let unclaim = () => {};
    const handshake = acceptHandshake(ch, {
      self: this.#o.self,
      cookie: this.#o.cookie,
      timeoutMs: this.#o.setupTimeoutMs,
      clock: this.#clock,
      admit: (peer) => {
        const verdict = this.#admit(peer);
        if (verdict === "ok") unclaim = this.#strangers.claim(peerName = peer.name);
        return verdict;
      },
    });
    handshake.then((result) => {
      leave();
      unclaim();
      if (result.kind === "refused") {
        this.#strangers.refused(peerName ?? `a node at ${source}`, result, "accepting", source);
        transport.close(4000, result.reason);
        return;
      }
      this.#register(this.#open(transport, result.peer, ch.release()), result.peer.name);
    });
  }

  /** Closes the link to `node` (a `bye` tells the peer); false if there was none. */
  disconnect(node: string, reason = "disconnected"): boolean {
    this.#joined.release(node);
    const link = this.#links.get(node);
    link?.close(reason);
    return link !== undefined;
  }

  /**
   * Keeps `node` connected, as `--join` asks: connects now and again after
   * every nodedown, retrying with jittered backoff while it is unreachable
   * (see `join.ts`). Logs `join_invalid` for a malformed name.
   */
  keepConnected(node: string): void {
    let name: string;
    try {
      name = parseNodeName(node).full;
    } catch (err) {
      this.#o.log.error("join_invalid", { node, message: (err as Error).message });
      return;
    }
    if (name !== this.self && !this.#closed) this.#joined.keep(name, node);
  }

  /** Says `bye` on every link and stops reconnecting; new connections are refused. */
  close(reason = "shutdown"): void {
    this.#closed = true;
    this.#joined.releaseAll();
    this.#meshDials.close();
    for (const link of this.#links.links()) link.close(reason);
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
      this.#strangers.refused(name, result, "dialing");
      return noconnection(name, result.message);
    }
    const kept = this.#register(this.#open(transport, result.peer, ch.release()), this.self);
    return kept ? { kind: "ok", link: kept } : noconnection(name, `the connection to ${name} closed right after the handshake`);
  }

  /** Erlang's rule for two nodes dialing each other: the smaller name's connection wins. */
  #admit(peer: NodeIdentity): Verdict {
    if (this.#closed) return "duplicate";
    if (this.#links.get(peer.name)?.peer.creation === peer.creation) return "duplicate";
    if (this.#dialing.has(peer.name) && this.self < peer.name) return "simultaneous";
    // Two set-ups from one name (before either authenticated) both go on: #register keeps one.
    return "ok";
  }

  #open(transport: Transport, peer: NodeIdentity, handoff: Handoff): Link {
    const link: Link = new MeteredLink(transport, {
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

  /** Adds `link` to the table; on a new peer, says nodeup and tells it the peers this node knows. */
  #register(link: Link, initiator: string): Link | undefined {
    const added = this.#links.add(link, initiator);
    if (added.kind !== "up") return added.kind === "duplicate" ? added.link : undefined;
    const name = link.peer.name;
    if (added.restarted) this.#emitDown(name, "peer restarted");
    this.#o.log.info("nodeup", { node: name, hidden: link.peer.hidden || undefined });
    this.#o.events.emit({ type: "nodeup", node: name, hidden: link.peer.hidden, time: Date.now() });
    if (!this.#o.self.hidden && !link.peer.hidden) link.sendPeers(this.#links.peerList(name));
    return link;
  }

  #down(link: Link, reason: string): void {
    if (this.#links.remove(link)) this.#emitDown(link.peer.name, reason);
  }

  #emitDown(name: string, reason: string): void {
    this.#o.log.info("nodedown", { node: name, reason });
    this.#o.events.emit({ type: "nodedown", node: name, reason, time: Date.now() });
  }

  /** The transitive mesh: connect to the nodes a peer knows. Hidden nodes stay out of it. */
  #learn(nodes: PeerAddress[], from: NodeIdentity): void {
    if (this.#o.self.hidden || from.hidden || this.#closed) return;
    for (const { name, port } of nodes) this.#meshDials.add(name, `${name}:${port}`, from.name);
  }

  /**
   * A dial the mesh wants. A set-up that node is making to this one is
   * waited for (it ends within the set-up timeout; a link it makes is in the
   * table by then), not doubled: of two links that both complete one is
   * closed, and a peer may see it go down after its nodeup. (`connect` does
   * not wait: a set-up not authenticated proves nothing to a caller.)
   */
  async #meshConnect(name: string, address: string): Promise<ConnectResult> {
    await this.#strangers.unclaimed(name);
    return this.connect(address);
  }

  async #awaitLink(name: string): Promise<ConnectResult> {
    const link = await this.#links.waitFor(name, this.#o.setupTimeoutMs, this.#clock);
    return link
      ? { kind: "ok", link }
      : noconnection(name, `${name} was connecting to this node at the same time, and that did not complete`);
  }
}
