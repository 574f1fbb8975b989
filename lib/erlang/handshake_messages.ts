/**
 * The messages of Erlang's version-6 handshake (erlang/otp:erts/doc/guides/
 * erl_dist_protocol.md, "Distribution Handshake"), encoded and decoded, and
 * the cookie digest as `dist_util:gen_digest/2` computes it. Decoding
 * checks every length against the packet: a peer that lies gets `undefined`.
 *
 * @module
 */
import { md5 } from "./md5.ts";

/** `'N'`: the dialer's name (send_name), or the acceptor's challenge. */
export interface NameMessage {
  flags: bigint;
  creation: number;
  name: string;
  /** Only in the acceptor's challenge. */
  challenge?: number;
}

export type HandshakeMessage =
  | ({ tag: "name" } & NameMessage)
  | { tag: "status"; status: string }
  | { tag: "reply"; challenge: number; digest: Uint8Array }
  | { tag: "ack"; digest: Uint8Array };

const utf8 = new TextEncoder();
const latin = new TextDecoder("utf-8", { fatal: true });

/** Erlang node names are at most 255 bytes (atoms). */
export const NAME_MAX_BYTES = 255;

/** `'N'` Flags:8 [Challenge:4] Creation:4 Nlen:2 Name. */
export function encodeName(m: NameMessage): Uint8Array {
  const name = utf8.encode(m.name);
  const extra = m.challenge === undefined ? 0 : 4;
  const out = new Uint8Array(1 + 8 + extra + 4 + 2 + name.length);
  const v = new DataView(out.buffer);
  out[0] = 0x4e;
  v.setBigUint64(1, m.flags);
  let at = 9;
  if (m.challenge !== undefined) {
    v.setUint32(at, m.challenge);
    at += 4;
  }
  v.setUint32(at, m.creation);
  v.setUint16(at + 4, name.length);
  out.set(name, at + 6);
  return out;
}

export function encodeStatus(status: string): Uint8Array {
  return new Uint8Array([0x73, ...utf8.encode(status)]);
}

export function encodeReply(challenge: number, digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(21);
  out[0] = 0x72;
  new DataView(out.buffer).setUint32(1, challenge);
  out.set(digest, 5);
  return out;
}

export function encodeAck(digest: Uint8Array): Uint8Array {
  return new Uint8Array([0x61, ...digest]);
}

/**
 * One handshake packet; `undefined` when it is none that this node speaks
 * (the old `'n'` of version 5, a short or overlong packet, a name that is
 * not UTF-8). `withChallenge` tells the acceptor's `'N'` from the dialer's.
 */
export function decodeHandshake(p: Uint8Array, withChallenge: boolean): HandshakeMessage | undefined {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  switch (p[0]) {
    case 0x4e: {
      const head = withChallenge ? 19 : 15;
      if (p.length < head) return undefined;
      const flags = v.getBigUint64(1);
      const challenge = withChallenge ? v.getUint32(9) : undefined;
      const creation = v.getUint32(head - 6);
      const len = v.getUint16(head - 2);
      if (len === 0 || len > NAME_MAX_BYTES || p.length !== head + len) return undefined;
      let name: string;
      try {
        name = latin.decode(p.subarray(head));
      } catch {
        return undefined;
      }
      return { tag: "name", flags, creation, name, ...(challenge === undefined ? {} : { challenge }) };
    }
    case 0x73:
      if (p.length > 64) return undefined;
      return { tag: "status", status: new TextDecoder().decode(p.subarray(1)) };
    case 0x72:
      return p.length === 21 ? { tag: "reply", challenge: v.getUint32(1), digest: p.slice(5) } : undefined;
    case 0x61:
      return p.length === 17 ? { tag: "ack", digest: p.slice(1) } : undefined;
    default:
      return undefined;
  }
}

/** `MD5(Cookie ++ integer_to_list(Challenge))`, the challenge read unsigned. */
export function digest(cookie: string, challenge: number): Uint8Array {
  return md5(utf8.encode(cookie + String(challenge >>> 0)));
}

/** A random 32-bit challenge. */
export function randomChallenge(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
