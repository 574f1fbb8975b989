/**
 * An authenticated Erlang distribution connection: 4-byte length framing,
 * ticks both ways (a zero-length packet; the peer's are echoed, and this
 * side ticks when it has been silent for a quarter of the ticktime; a peer
 * silent for the whole ticktime is lost), and the pass-through form
 * `'p' 131 Control [131 Message]` in both directions (neither atom cache nor
 * fragments is negotiated). Messages are encoded strictly before anything
 * is written: one bad term must never reach the wire, since Erlang drops
 * the whole link on it.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { Value } from "../result.ts";
import type { ErlPeer } from "./handshake.ts";
import type { Clock, Ended } from "./packets.ts";
import type { ErlSocket } from "./socket.ts";
import { decodeDistMessage, encodeDistMessage } from "./wire_terms.ts";

/** Room for a control tuple beside a payload of `limits.maxBytes`. */
const CONTROL_ROOM = 64 * 1024;

export interface ConnectionHandler {
  /** One control message (a tuple, as decoded) and its payload, if it has one. */
  message(conn: ErlConnection, control: Value[], payload: unknown): void;
  /** The connection is gone, with why; called once. */
  down(conn: ErlConnection, reason: string): void;
}

export interface ConnectionOptions {
  clock: Clock;
  /** net_ticktime in ms: silence this long ends the connection. */
  ticktimeMs: number;
  handler: ConnectionHandler;
  /** Bounds on a decoded message (its size also bounds the packet). */
  limits: Limits;
  /** A message that cannot be decoded; the connection is then closed. */
  onBadMessage?(conn: ErlConnection, why: string): void;
}

export class ErlConnection {
  readonly peer: ErlPeer;
  #sock: ErlSocket;
  #o: ConnectionOptions;
  #lastIn: number;
  #lastOut: number;
  #timer: unknown;
  #down?: string;

  constructor(sock: ErlSocket, peer: ErlPeer, options: ConnectionOptions) {
    this.#sock = sock;
    this.peer = peer;
    this.#o = options;
    this.#lastIn = this.#lastOut = options.clock.now();
    // Erlang has no message limit; this node needs one: a larger packet ends the connection unread.
    sock.upgrade(options.limits.maxBytes + CONTROL_ROOM, {
      packet: (data) => this.#packet(data),
      end: (why) => this.#end(describeEnd(why)),
    });
    this.#arm();
  }

  /** Why the connection is down; undefined while it is up. */
  get downReason(): string | undefined {
    return this.#down;
  }

  /**
   * Sends a control tuple and its payload. Throws (the codec's error, with
   * nothing written) when a term cannot be encoded; returns false when the
   * connection is down.
   */
  send(control: Value, ...payload: [] | [unknown]): boolean {
    const bytes = encodeDistMessage(control, payload);
    if (this.#down) return false;
    this.#sock.send(bytes);
    this.#lastOut = this.#o.clock.now();
    return true;
  }

  /** Closes the connection; `down` follows once with `reason`. */
  close(reason: string): void {
    this.#end(reason);
    this.#sock.close(reason);
  }

  #packet(data: Uint8Array): void {
    this.#lastIn = this.#o.clock.now();
    if (data.length === 0) {
      // A tick: answer it, so a peer with a shorter ticktime than ours keeps the link.
      this.#tick();
      return;
    }
    let decoded: { control: Value[]; payload: unknown };
    try {
      decoded = decodeDistMessage(data, this.#o.limits);
    } catch (err) {
      const why = `${this.peer.name} sent a message this node cannot decode: ${(err as Error).message}`;
      this.#o.onBadMessage?.(this, why);
      this.close(why);
      return;
    }
    this.#o.handler.message(this, decoded.control, decoded.payload);
  }

  #tick(): void {
    if (this.#down) return;
    this.#sock.send(new Uint8Array(0));
    this.#lastOut = this.#o.clock.now();
  }

  #arm(): void {
    const quarter = Math.max(1, this.#o.ticktimeMs / 4);
    this.#timer = this.#o.clock.setTimeout(() => {
      if (this.#down) return;
      const now = this.#o.clock.now();
      if (now - this.#lastIn >= this.#o.ticktimeMs) {
        this.close(`net_tick_timeout: nothing from ${this.peer.name} for ${Math.round((now - this.#lastIn) / 1000)} s`);
        return;
      }
      if (now - this.#lastOut >= quarter * 0.9) this.#tick();
      this.#arm();
    }, quarter);
  }

  #end(reason: string): void {
    if (this.#down) return;
    this.#down = reason;
    this.#o.clock.clearTimeout(this.#timer);
    this.#o.handler.down(this, reason);
  }
}

function describeEnd(why: Ended): string {
  return why.kind === "closed" ? why.message : `a message of ${why.length} bytes is over the limit of ${why.max}`;
}
