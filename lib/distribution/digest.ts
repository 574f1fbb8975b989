/**
 * The handshake's cryptography: HMAC-SHA256 proofs keyed with the cookie
 * (WebCrypto, on every runtime), nonces, and comparisons that leak no timing.
 *
 * digestD = HMAC(utf8(cookie), "meshrpc-dist-v1 dialer" 0x00 ‖ nonceA ‖ nonceD ‖ lp(dialer) ‖ lp(acceptor))
 * digestA = HMAC(utf8(cookie), "meshrpc-dist-v1 acceptor" 0x00 ‖ nonceD ‖ nonceA ‖ lp(acceptor) ‖ lp(dialer))
 * where lp(name) = u16 big-endian byte length ‖ utf8(name): without the
 * lengths, `a@b.c`+`d@e` and `a@b`+`.cd@e` would give the same bytes.
 *
 * @module
 */
import { concatBytes } from "../core/bytes.ts";

/** Every nonce is this long; a peer's nonce of another length is refused. */
export const NONCE_BYTES = 32;

const encoder = new TextEncoder();

function lengthPrefixed(s: string): Uint8Array {
  const b = encoder.encode(s);
  const out = new Uint8Array(2 + b.length);
  out[0] = (b.length >> 8) & 0xff;
  out[1] = b.length & 0xff;
  out.set(b, 2);
  return out;
}

export function importCookie(cookie: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(cookie), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
}

async function digest(
  key: CryptoKey,
  role: "dialer" | "acceptor",
  firstNonce: Uint8Array,
  secondNonce: Uint8Array,
  firstName: string,
  secondName: string,
): Promise<Uint8Array> {
  const msg = concatBytes([
    encoder.encode(`meshrpc-dist-v1 ${role}\0`),
    firstNonce,
    secondNonce,
    lengthPrefixed(firstName),
    lengthPrefixed(secondName),
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, msg));
}

/** The dialer's proof: computed by the dialer, checked by the acceptor. */
export function dialerDigest(
  key: CryptoKey,
  acceptorNonce: Uint8Array,
  dialerNonce: Uint8Array,
  dialer: string,
  acceptor: string,
): Promise<Uint8Array> {
  return digest(key, "dialer", acceptorNonce, dialerNonce, dialer, acceptor);
}

/** The acceptor's proof: computed by the acceptor, checked by the dialer. */
export function acceptorDigest(
  key: CryptoKey,
  dialerNonce: Uint8Array,
  acceptorNonce: Uint8Array,
  acceptor: string,
  dialer: string,
): Promise<Uint8Array> {
  return digest(key, "acceptor", dialerNonce, acceptorNonce, acceptor, dialer);
}

export function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}
