/**
 * Erlang's version-6 handshake, both sides (as `dist_util` does it, through
 * send/recv handed to it). Everything before the cookie is proven is
 * hostile: packets are bounded by the socket, the whole exchange by one
 * deadline, and peer-supplied text in a refusal is clipped. Neither side
 * ever rejects: every failure is a refusal with a reason and a message that
 * says what to check.
 *
 * @module
 */
import { constantTimeEqual } from "../core/bytes.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import { DFLAG, missingFlags, negotiated, ourFlags } from "./flags.ts";
import {
  decodeHandshake,
  digest,
  encodeAck,
  encodeName,
  encodeReply,
  encodeStatus,
  type HandshakeMessage,
  randomChallenge,
} from "./handshake_messages.ts";
import type { Clock } from "./packets.ts";
import type { ErlSocket } from "./socket.ts";

/** The peer of an authenticated connection. */
export interface ErlPeer {
  name: string;
  /** The flags both sides have. */
  flags: bigint;
  creation: number;
  /** The peer did not publish itself (`-hidden`): it is not in `nodes()`. */
  hidden: boolean;
}

export type RefusalReason = "cookie" | "name" | "flags" | "status" | "protocol" | "timeout" | "closed";

export type ErlHandshakeResult =
  | { kind: "ok"; peer: ErlPeer }
  | { kind: "refused"; reason: RefusalReason; message: string };

export interface ErlHandshakeOptions {
  self: { name: string; creation: number; hidden: boolean };
  cookie: string;
  /** The whole handshake must end within this (ms). */
  timeoutMs: number;
  clock: Clock;
  /** For tests: the challenge this side sends. */
  challenge?: () => number;
}

/** What the acceptor answers a dialer: `ok`, `nok` (a dial of ours to it wins), `alive` (a link is up already). */
export type AdmitStatus = "ok" | "ok_simultaneous" | "nok" | "alive" | "not_allowed";

class Refused extends Error {
  constructor(readonly reason: RefusalReason, message: string) {
    super(message);
  }
}

/** The next message, or a Refused thrown; `withChallenge` for the acceptor's `'N'`. */
async function receive(sock: ErlSocket, deadlineAt: number, o: ErlHandshakeOptions, withChallenge: boolean, peer: string) {
  const r = await sock.recv(Math.max(0, deadlineAt - o.clock.now()));
  if (r.kind === "timeout") throw new Refused("timeout", `${peer} did not finish the handshake within ${o.timeoutMs} ms`);
  if (r.kind === "closed") throw new Refused("closed", `${peer} closed the connection during the handshake (${r.message}); check its log: a wrong cookie or a name clash is refused there`);
  if (r.kind === "too_large") throw new Refused("protocol", `${peer} sent a handshake packet of ${r.length} bytes (limit ${r.max})`);
  const m = decodeHandshake(r.data, withChallenge);
  if (!m) throw new Refused("protocol", `${peer} sent a handshake packet this node does not speak (tag ${r.data[0]}); it must be OTP 23 or later`);
  return m;
}

function unexpected(m: HandshakeMessage, peer: string): Refused {
  if (m.tag === "status") {
    return new Refused("status", `${peer} refused the connection: ${clipUntrusted(m.status, 40)}`);
  }
  return new Refused("protocol", `${peer} sent '${m.tag}' out of turn`);
}

function checkFlags(flags: bigint, peer: string): void {
  const missing = missingFlags(flags);
  if (missing.length > 0) {
    throw new Refused("flags", `${peer} lacks the capabilities ${missing.join(", ")}; it must be OTP 23 or later`);
  }
}

async function run(o: ErlHandshakeOptions, work: () => Promise<ErlPeer>): Promise<ErlHandshakeResult> {
  if (o.cookie === "") return { kind: "refused", reason: "cookie", message: "The cookie must not be empty" };
  try {
    return { kind: "ok", peer: await work() };
  } catch (err) {
    if (err instanceof Refused) return { kind: "refused", reason: err.reason, message: err.message };
    return { kind: "refused", reason: "protocol", message: `handshake failed: ${(err as Error).message}` };
  }
}

/**
 * The dialing side, to `expected` (byte-exact, as Erlang compares it).
 * Resolves ok with the peer, or refused; the caller closes the socket after
 * a refusal.
 */
export function dialErlang(sock: ErlSocket, expected: string, o: ErlHandshakeOptions): Promise<ErlHandshakeResult> {
  return run(o, async () => {
    const until = o.clock.now() + o.timeoutMs;
    const who = clipUntrusted(expected);
    sock.send(encodeName({ flags: ourFlags(o.self.hidden), creation: o.self.creation, name: o.self.name }));
    let status = await receive(sock, until, o, false, who);
    if (status.tag !== "status") throw unexpected(status, who);
    if (status.status === "alive") {
      // It holds a link to an earlier run of this name: this dial is the live one.
      sock.send(encodeStatus("true"));
      status = { tag: "status", status: "ok" };
    }
    if (status.status !== "ok" && status.status !== "ok_simultaneous") throw unexpected(status, who);
    const ch = await receive(sock, until, o, true, who);
    if (ch.tag !== "name" || ch.challenge === undefined) throw unexpected(ch, who);
    if (ch.name !== expected) {
      throw new Refused("name", `dialled ${who} but the node there is ${clipUntrusted(ch.name)}; Erlang names are byte-exact (ts@localhost is not ts@LOCALHOST)`);
    }
    checkFlags(ch.flags, who);
    const mine = (o.challenge ?? randomChallenge)();
    sock.send(encodeReply(mine, digest(o.cookie, ch.challenge)));
    const ack = await receive(sock, until, o, false, who);
    if (ack.tag !== "ack") throw unexpected(ack, who);
    if (!constantTimeEqual(ack.digest, digest(o.cookie, mine))) {
      throw new Refused("cookie", `wrong cookie: ${who} could not prove it knows the cookie; start both with the same cookie`);
    }
    return { name: ch.name, flags: negotiated(ch.flags, o.self.hidden), creation: ch.creation, hidden: !(ch.flags & DFLAG.PUBLISHED) };
  });
}

/**
 * The accepting side. `admit` decides on the dialer's claimed name (before
 * it is authenticated: only to settle simultaneous connects). Resolves ok
 * with the peer, or refused; the caller closes the socket after a refusal.
 */
export function acceptErlang(
  sock: ErlSocket,
  admit: (name: string) => AdmitStatus,
  o: ErlHandshakeOptions,
): Promise<ErlHandshakeResult> {
  return run(o, async () => {
    const until = o.clock.now() + o.timeoutMs;
    const from = `a dialer at ${clipUntrusted(sock.remoteAddress)}`;
    const hello = await receive(sock, until, o, false, from);
    if (hello.tag !== "name") throw unexpected(hello, from);
    const who = clipUntrusted(hello.name);
    if (!/^[^@]+@[^@]+$/.test(hello.name)) {
      throw new Refused("name", `${from} calls itself ${who}, which is not a node name (name@host)`);
    }
    checkFlags(hello.flags, who);
    const status = admit(hello.name);
    sock.send(encodeStatus(status));
    if (status === "nok" || status === "not_allowed") {
      throw new Refused("status", `${who} was answered ${status}: a connection to it is being set up or it is not allowed`);
    }
    if (status === "alive") {
      const answer = await receive(sock, until, o, false, who);
      if (answer.tag !== "status" || answer.status !== "true") {
        throw new Refused("status", `${who} is already connected; its second connection was given up`);
      }
    }
    const mine = (o.challenge ?? randomChallenge)();
    sock.send(encodeName({ flags: ourFlags(o.self.hidden), creation: o.self.creation, name: o.self.name, challenge: mine }));
    const reply = await receive(sock, until, o, false, who);
    if (reply.tag !== "reply") throw unexpected(reply, who);
    if (!constantTimeEqual(reply.digest, digest(o.cookie, mine))) {
      throw new Refused("cookie", `wrong cookie: ${who} (at ${clipUntrusted(sock.remoteAddress)}) does not know this node's cookie; start both with the same cookie`);
    }
    sock.send(encodeAck(digest(o.cookie, reply.challenge)));
    return { name: hello.name, flags: negotiated(hello.flags, o.self.hidden), creation: hello.creation, hidden: !(hello.flags & DFLAG.PUBLISHED) };
  });
}
