/**
 * The distribution handshake, in the style of Erlang's `dist_util`: mutual
 * challenge/response over a `Channel` handed in by the caller, so it opens
 * no sockets. This file holds what both sides share; `handshake_dialer.ts`
 * and `handshake_acceptor.ts` are the two sides.
 *
 * ```
 * dialer                                   acceptor
 *   hello {version, name, to, port, hidden, creation}  -->
 *                                          checks version, to, name; admit(peer)
 *   <--  challenge {name, creation, nonceA}            (or refuse)
 * checks name == dialled, nonceA
 *   answer {nonceD, HMAC(cookie, "dialer" ...)}  -->
 *                                          verifies the digest
 *   <--  ack {HMAC(cookie, "acceptor" ...), hidden, port}   (or refuse "cookie")
 * verifies the digest (or refuse "cookie")
 * ```
 *
 * digestD = HMAC-SHA256(utf8(cookie), "meshrpc-dist-v1 dialer" 0x00 ‖ nonceA ‖ nonceD ‖ lp(dialer) ‖ lp(acceptor))
 * digestA = HMAC-SHA256(utf8(cookie), "meshrpc-dist-v1 acceptor" 0x00 ‖ nonceD ‖ nonceA ‖ lp(acceptor) ‖ lp(dialer))
 * where lp(name) = u16 big-endian byte length ‖ utf8(name). The cookie never
 * goes into a frame; the labels keep one side's proof from serving as the other's.
 *
 * @module
 */
import { sameBytes } from "../core/bytes.ts";
import { parseNodeName } from "../core/name.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import type { Channel, Received } from "./channel.ts";
import { type Clock, systemClock } from "./clock.ts";
import { NONCE_BYTES } from "./digest.ts";
import type { Frame, RefuseReason } from "./frames.ts";

/** The protocol version in `hello`; a peer with another one is refused with "version". */
export const PROTOCOL_VERSION = 1;

/** Who a node is on the wire. `creation` changes every time the process starts. */
export type NodeIdentity = { name: string; port: number; hidden: boolean; creation: string };

export type HandshakeResult =
  | { kind: "ok"; peer: NodeIdentity }
  | { kind: "refused"; reason: RefuseReason; message: string };

export interface HandshakeOptions {
  self: NodeIdentity;
  cookie: string;
  /** For the whole handshake, not per step. */
  timeoutMs: number;
  clock?: Clock;
  /** Source of nonces; tests replace it. */
  nonce?: () => Uint8Array;
}

/** True for a node's own name as it introduces itself: `name@host`, no port (the host is not resolved here). */
export function isNodeName(s: string): boolean {
  try {
    return parseNodeName(s).full === s;
  } catch {
    return false;
  }
}

/** Why a handshake step stops; `tell` says whether the peer is sent a `refuse`. */
export class Refused {
  constructor(readonly reason: RefuseReason, readonly message: string, readonly tell: boolean) {}
}

/** The refusal for a frame that is not the one the step waits for. */
export function refusedBy(f: Frame, who: string): Refused {
  if (f.type === "refuse") return new Refused(f.reason, `${who} refused the connection: ${clipUntrusted(f.message, 500)}`, false);
  return new Refused("protocol", `${who} sent a ${f.type} frame out of turn`, true);
}

/** Throws a `Refused` for a peer's nonce of the wrong size, or one that echoes this side's own. */
export function checkNonce(theirs: Uint8Array, mine: Uint8Array, peer: string): void {
  if (theirs.length !== NONCE_BYTES) {
    throw new Refused("protocol", `${peer} sent a ${theirs.length}-byte nonce; ${NONCE_BYTES} bytes are required`, true);
  }
  if (sameBytes(theirs, mine)) {
    throw new Refused("protocol", `${peer} echoed this node's own nonce (a reflection attempt)`, true);
  }
}

function refusalFor(r: Exclude<Received, { kind: "frame" }>, peer: string, timeoutMs: number): Refused {
  switch (r.kind) {
    case "timeout":
      return new Refused(
        "timeout",
        `handshake with ${peer} did not finish within ${timeoutMs} ms; check that the peer is a meshrpc node and reachable`,
        true,
      );
    case "closed":
      return new Refused("closed", `${peer} closed the connection during the handshake (${r.message})`, false);
    case "malformed":
      return new Refused("protocol", `${peer} sent an invalid handshake frame: ${clipUntrusted(r.error.message, 500)}`, true);
  }
}

/**
 * Runs one side's `steps` under one deadline for the whole handshake; maps
 * every failure to a refusal, telling the peer when that still makes sense.
 * `steps` get a `recv` that returns the next frame or throws a `Refused`.
 */
export async function guarded(
  ch: Channel,
  peerLabel: () => string,
  steps: (recv: () => Promise<Frame>) => Promise<NodeIdentity>,
  options: HandshakeOptions,
): Promise<HandshakeResult> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  const recv = async () => {
    const r = await ch.recv(Math.max(0, deadline - clock.now()));
    if (r.kind === "frame") return r.frame;
    throw refusalFor(r, peerLabel(), options.timeoutMs);
  };
  let refusal: Refused;
  try {
    return { kind: "ok", peer: await steps(recv) };
  } catch (err) {
    refusal = err instanceof Refused
      ? err
      : new Refused("protocol", `handshake with ${peerLabel()} failed: ${(err as Error)?.message ?? String(err)}`, true);
  }
  if (refusal.tell) {
    try {
      ch.send({ type: "refuse", reason: refusal.reason, message: refusal.message });
    } catch {
      // The connection is being dropped anyway; the local result says why.
    }
  }
  return { kind: "refused", reason: refusal.reason, message: refusal.message };
}
