/**
 * The dialing side of the handshake (see `handshake.ts` for the exchange).
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
  PROTOCOL_VERSION,
  Refused,
  refusedBy,
} from "./handshake.ts";

export interface DialOptions extends HandshakeOptions {
  /** The node this connection was opened to reach. */
  expected: string;
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
        `dialled ${expected} but the node there is ${clipUntrusted(ch1.name)}; check the port or the port mapper's entry for ${expected}`,
        true,
      );
    }
    checkNonce(ch1.nonce, dialerNonce, expected);
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
