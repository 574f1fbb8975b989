/**
 * The distribution handshake, in the style of Erlang's `dist_util`: mutual
 * challenge/response over a `Channel` handed in by the caller, so this file
 * opens no sockets.
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
import type { Limits } from "../codec/limits.ts";
import type { Transport } from "../runtime/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { constantTimeEqual, sameBytes } from "../core/bytes.ts";
import { acceptorDigest, dialerDigest, importCookie, NONCE_BYTES, randomNonce } from "./digest.ts";
import { decodeFrames, encodeFrame } from "./frame_codec.ts";
import { type Frame, FrameError, type RefuseReason } from "./frames.ts";
import { parseNodeName } from "../core/name.ts";

export { NONCE_BYTES };

/** True for a node's own name as it introduces itself: `name@host`, no port (the host is not resolved here). */
function isNodeName(s: string): boolean {
  try {
    return parseNodeName(s).full === s;
  } catch {
    return false;
  }
}

/** The protocol version in `hello`; a peer with another one is refused with "version". */
export const PROTOCOL_VERSION = 1;

/** Who a node is on the wire. `creation` changes every time the process starts. */
export type NodeIdentity = { name: string; port: number; hidden: boolean; creation: string };

export type HandshakeResult =
  | { kind: "ok"; peer: NodeIdentity }
  | { kind: "refused"; reason: RefuseReason; message: string };

/** What the mesh says about a dialer that passed the name checks. */
export type Admission = "ok" | "simultaneous" | "duplicate";

/** Frame-level access to one connection during the handshake. */
export interface Channel {
  /** Sends a frame; a no-op once the connection is closed. May throw the codec's errors. */
  send(f: Frame): void;
  /**
   * The next frame. Rejects with `ChannelClosedError` when the connection
   * closes, `ChannelTimeoutError` when `timeoutMs` passes, and `FrameError`
   * when the peer sent something that is not a valid frame.
   */
  recv(timeoutMs: number): Promise<Frame>;
}

export class ChannelClosedError extends Error {
  override name = "ChannelClosedError";
}
export class ChannelTimeoutError extends Error {
  override name = "ChannelTimeoutError";
}

/** What a `Link` must process first: frames that arrived after the handshake. */
export type Handoff = { frames: Frame[]; down?: string };

export interface TransportChannel extends Channel {
  /**
   * Stops reading the transport and returns the frames that arrived but were
   * not received (the peer may send right after the handshake), and why the
   * connection is already unusable, if it is. Pass it to `new Link` as `handoff`.
   */
  release(): Handoff;
}

/**
 * A `Channel` over a `Transport`: incoming messages are decoded and queued;
 * a message that does not decode makes the pending (or next) `recv` reject
 * with a `FrameError`.
 */
export function channelOf(
  t: Transport,
  options: { clock?: Clock; limits?: Limits } = {},
): TransportChannel {
  const clock = options.clock ?? systemClock;
  const queue: Frame[] = [];
  let failure: Error | undefined;
  let released = false;
  let waiter: { resolve(f: Frame): void; reject(e: Error): void } | undefined;

  const settle = () => {
    if (!waiter) return;
    const w = waiter;
    if (queue.length > 0) {
      waiter = undefined;
      w.resolve(queue.shift()!);
    } else if (failure) {
      waiter = undefined;
      w.reject(failure);
    }
  };

  t.listen({
    message(data) {
      if (released || failure) return;
      try {
        queue.push(...decodeFrames(data, options.limits));
      } catch (err) {
        failure = err instanceof FrameError ? err : new FrameError(String(err), { cause: err });
      }
      settle();
    },
    close(code, reason) {
      if (released || failure) return;
      failure = new ChannelClosedError(`connection closed (code ${code}${reason ? `: ${reason}` : ""})`);
      settle();
    },
  });

  return {
    send(f) {
      t.send(encodeFrame(f));
    },
    recv(timeoutMs) {
      if (waiter) return Promise.reject(new TypeError("Only one recv may wait at a time"));
      return new Promise<Frame>((resolve, reject) => {
        const timer = clock.setTimeout(() => {
          waiter = undefined;
          reject(new ChannelTimeoutError(`No frame within ${timeoutMs} ms`));
        }, Math.max(0, timeoutMs));
        waiter = {
          resolve(f) {
            clock.clearTimeout(timer);
            resolve(f);
          },
          reject(e) {
            clock.clearTimeout(timer);
            reject(e);
          },
        };
        settle();
      });
    },
    release() {
      released = true;
      const frames = queue.splice(0);
      if (!failure) return { frames };
      const down = failure instanceof FrameError
        ? `protocol error: malformed frame right after the handshake (${failure.message})`
        : failure.message;
      return { frames, down };
    },
  };
}


// ---- the two sides ----

export interface HandshakeOptions {
  self: NodeIdentity;
  cookie: string;
  /** For the whole handshake, not per step. */
  timeoutMs: number;
  clock?: Clock;
  /** Source of nonces; tests replace it. */
  nonce?: () => Uint8Array;
}

export interface DialOptions extends HandshakeOptions {
  /** The node this connection was opened to reach. */
  expected: string;
}

export interface AcceptOptions extends HandshakeOptions {
  /** Asked once the dialer's name is known to be well-formed, before authentication. */
  admit(peer: NodeIdentity): Admission | Promise<Admission>;
}

class Refused {
  constructor(readonly reason: RefuseReason, readonly message: string, readonly tell: boolean) {}
}

/** Runs `steps`; maps every failure to a refusal, telling the peer when that still makes sense. */
async function guarded(
  ch: Channel,
  peerLabel: () => string,
  steps: (recv: () => Promise<Frame>) => Promise<NodeIdentity>,
  options: HandshakeOptions,
): Promise<HandshakeResult> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  const recv = () => ch.recv(Math.max(0, deadline - clock.now()));
  let refusal: Refused;
  try {
    return { kind: "ok", peer: await steps(recv) };
  } catch (err) {
    if (err instanceof Refused) refusal = err;
    else if (err instanceof ChannelTimeoutError) {
      refusal = new Refused(
        "timeout",
        `handshake with ${peerLabel()} did not finish within ${options.timeoutMs} ms; check that the peer is a meshrpc node and reachable`,
        true,
      );
    } else if (err instanceof ChannelClosedError) {
      refusal = new Refused("closed", `${peerLabel()} closed the connection during the handshake (${err.message})`, false);
    } else if (err instanceof FrameError) {
      refusal = new Refused("protocol", `${peerLabel()} sent an invalid handshake frame: ${err.message}`, true);
    } else {
      refusal = new Refused("protocol", `handshake with ${peerLabel()} failed: ${(err as Error)?.message ?? String(err)}`, true);
    }
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

function refusedBy(f: Frame, who: string): Refused {
  if (f.type === "refuse") return new Refused(f.reason, `${who} refused the connection: ${f.message}`, false);
  return new Refused("protocol", `${who} sent a ${f.type} frame out of turn`, true);
}

/**
 * The dialing side. Resolves `{kind: "ok", peer}` or `{kind: "refused", reason,
 * message}`; never rejects for anything the peer or the connection does
 * (timeouts, garbage, early close all become refusals). Rejects with a
 * `TypeError` only for an empty cookie. The caller closes the transport
 * after a refusal.
 */
export function dialHandshake(ch: Channel, options: DialOptions): Promise<HandshakeResult> {
  const { self, cookie, expected } = options;
  if (cookie === "") return Promise.reject(new TypeError("The cookie must not be empty"));
  const nonce = options.nonce ?? randomNonce;
  return guarded(ch, () => expected, async (recv) => {
    const key = await importCookie(cookie);
    // Drawn before the challenge arrives, so a challenge that echoes it is a reflection.
    const dialerNonce = nonce();
    ch.send({
      type: "hello",
      version: PROTOCOL_VERSION,
      name: self.name,
      to: expected,
      port: self.port,
      hidden: self.hidden,
      creation: self.creation,
    });
    const ch1 = await recv();
    if (ch1.type !== "challenge") throw refusedBy(ch1, expected);
    if (ch1.name !== expected) {
      throw new Refused(
        "name",
        `dialled ${expected} but the node there is ${ch1.name}; check the port or the port mapper's entry for ${expected}`,
        true,
      );
    }
    if (ch1.nonce.length !== NONCE_BYTES) {
      throw new Refused("protocol", `${expected} sent a ${ch1.nonce.length}-byte nonce; ${NONCE_BYTES} bytes are required`, true);
    }
    if (sameBytes(ch1.nonce, dialerNonce)) {
      throw new Refused("protocol", `${expected} echoed this node's own nonce (a reflection attempt)`, true);
    }
    ch.send({
      type: "answer",
      nonce: dialerNonce,
      digest: await dialerDigest(key, ch1.nonce, dialerNonce, self.name, expected),
    });
    const ack = await recv();
    if (ack.type !== "ack") throw refusedBy(ack, expected);
    const wanted = await acceptorDigest(key, dialerNonce, ch1.nonce, expected, self.name);
    if (!constantTimeEqual(ack.digest, wanted)) {
      throw new Refused(
        "cookie",
        `wrong cookie: ${expected} could not prove it knows the cookie; ${self.name} and ${expected} must be started with the same --cookie`,
        true,
      );
    }
    return { name: expected, port: ack.port, hidden: ack.hidden, creation: ch1.creation };
  }, options);
}

/**
 * The accepting side. Resolves like `dialHandshake`; `admit` is asked after
 * the name checks and before authentication, so the mesh must not act on the
 * peer's claims until the result is "ok". An `admit` that throws refuses with
 * "protocol". Rejects with a `TypeError` only for an empty cookie. "ok" means
 * the ack was sent: a dialer that then rejects the ack sends `refuse`, which
 * the `Link` reports as down.
 */
export function acceptHandshake(ch: Channel, options: AcceptOptions): Promise<HandshakeResult> {
  const { self, cookie } = options;
  if (cookie === "") return Promise.reject(new TypeError("The cookie must not be empty"));
  const nonce = options.nonce ?? randomNonce;
  let dialer = "the dialing node";
  return guarded(ch, () => dialer, async (recv) => {
    const key = await importCookie(cookie);
    const hello = await recv();
    if (hello.type !== "hello") throw refusedBy(hello, dialer);
    if (isNodeName(hello.name)) dialer = hello.name;
    if (hello.version !== PROTOCOL_VERSION) {
      throw new Refused(
        "version",
        `${dialer} speaks distribution protocol version ${hello.version} and ${self.name} speaks ${PROTOCOL_VERSION}; run the same meshrpc version on both`,
        true,
      );
    }
    if (hello.to !== self.name) {
      throw new Refused(
        "name",
        `${dialer} asked for ${hello.to} but this node is ${self.name}; check the port or the port mapper's entry for ${hello.to}`,
        true,
      );
    }
    if (!isNodeName(hello.name)) {
      throw new Refused(
        "name",
        `"${hello.name.slice(0, 300)}" is not a valid node name; use name@host with letters, digits, _, - or . in the name`,
        true,
      );
    }
    if (hello.name === self.name) {
      throw new Refused("name", `a node named ${self.name} dialled ${self.name}; every node needs its own name`, true);
    }
    const peer: NodeIdentity = { name: hello.name, port: hello.port, hidden: hello.hidden, creation: hello.creation };
    const admission = await options.admit(peer);
    if (admission === "simultaneous") {
      throw new Refused(
        "simultaneous",
        `${self.name} and ${dialer} dialled each other at once; the connection ${self.name} started is kept`,
        true,
      );
    }
    if (admission === "duplicate") {
      throw new Refused("duplicate", `${self.name} is already connected to ${dialer}`, true);
    }
    const acceptorNonce = nonce();
    ch.send({ type: "challenge", name: self.name, creation: self.creation, nonce: acceptorNonce });
    const answer = await recv();
    if (answer.type !== "answer") throw refusedBy(answer, dialer);
    if (answer.nonce.length !== NONCE_BYTES) {
      throw new Refused("protocol", `${dialer} sent a ${answer.nonce.length}-byte nonce; ${NONCE_BYTES} bytes are required`, true);
    }
    if (sameBytes(answer.nonce, acceptorNonce)) {
      throw new Refused("protocol", `${dialer} echoed this node's own nonce (a reflection attempt)`, true);
    }
    const wanted = await dialerDigest(key, acceptorNonce, answer.nonce, dialer, self.name);
    if (!constantTimeEqual(answer.digest, wanted)) {
      throw new Refused(
        "cookie",
        `wrong cookie: ${dialer} and ${self.name} must be started with the same --cookie`,
        true,
      );
    }
    ch.send({
      type: "ack",
      digest: await acceptorDigest(key, answer.nonce, acceptorNonce, self.name, dialer),
      hidden: self.hidden,
      port: self.port,
    });
    return peer;
  }, options);
}
