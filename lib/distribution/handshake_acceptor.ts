/**
 * The accepting side of the handshake (see `handshake.ts` for the exchange).
 *
 * @module
 */
import { constantTimeEqual } from "../core/bytes.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import type { Channel } from "./channel.ts";
import { acceptorDigest, dialerDigest, importCookie, randomNonce } from "./digest.ts";
import {
  checkNonce,
  guarded,
  type HandshakeOptions,
  type HandshakeResult,
  isNodeName,
  type NodeIdentity,
  PROTOCOL_VERSION,
  Refused,
  refusedBy,
} from "./handshake.ts";

/** What the mesh says about a dialer that passed the name checks. */
export type Verdict = "ok" | "simultaneous" | "duplicate";

export interface AcceptOptions extends HandshakeOptions {
  /** Asked once the dialer's name is known to be well-formed, before authentication. */
  admit(peer: NodeIdentity): Verdict | Promise<Verdict>;
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
        `${dialer} asked for ${clipUntrusted(hello.to)} but this node is ${self.name}; check the port or the port mapper's entry for that name`,
        true,
      );
    }
    if (!isNodeName(hello.name)) {
      throw new Refused(
        "name",
        `"${clipUntrusted(hello.name)}" is not a valid node name; use name@host with letters, digits, _, - or . in the name`,
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
    checkNonce(answer.nonce, acceptorNonce, dialer);
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
