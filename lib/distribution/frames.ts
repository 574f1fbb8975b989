/**
 * The wire format of a link: each WebSocket message is one CBOR array whose
 * first element is a small integer tag, followed by the frame's fields in a
 * fixed order (no map keys: this is the hot path).
 *
 * | tag | frame      | array layout                                              |
 * |-----|------------|-----------------------------------------------------------|
 * | 1   | hello      | [1, version, name, to, port, hidden, creation]            |
 * | 2   | challenge  | [2, name, creation, nonce]                                |
 * | 3   | answer     | [3, nonce, digest]                                        |
 * | 4   | ack        | [4, digest, hidden, port]                                 |
 * | 5   | refuse     | [5, reason, message]                                      |
 * | 16  | call       | [16, id, module, function, args, timeoutMs or null (none)] |
 * | 17  | reply      | [17, id, result]                                          |
 * | 18  | cast       | [18, module, function, args]                              |
 * | 19  | cancel     | [19, id]                                                  |
 * | 20  | tick       | [20]                                                      |
 * | 21  | peers      | [21, [[name, port], ...]]                                 |
 * | 22  | bye        | [22, reason]                                              |
 * | 23  | batch      | [23, frame, frame, ...] (link frames sent in one burst)   |
 * | 24  | fragment   | [24, more, bytes] (a part of a large message: `fragments.ts`) |
 *
 * A reply's result is encoded by `result_codec.ts`; `frame_codec.ts` turns
 * frames into bytes and back.
 *
 * @module
 */
import type { CallResult, Value } from "../result.ts";

/** Frame tags on the wire. Handshake frames are below 16, link frames from 16. */
export const TAGS = {
  hello: 1,
  challenge: 2,
  answer: 3,
  ack: 4,
  refuse: 5,
  call: 16,
  reply: 17,
  cast: 18,
  cancel: 19,
  tick: 20,
  peers: 21,
  bye: 22,
  batch: 23,
  fragment: 24,
} as const;

/** Why a handshake was refused. */
export const REFUSE_REASONS = [
  "cookie",
  "name",
  "version",
  "simultaneous",
  "duplicate",
  "protocol",
  "timeout",
  "closed",
  "shutdown",
] as const;
export type RefuseReason = (typeof REFUSE_REASONS)[number];

/** A node as another node can reach it. */
export type PeerAddress = { name: string; port: number };

export type Hello = {
  type: "hello";
  version: number;
  name: string;
  to: string;
  port: number;
  hidden: boolean;
  creation: string;
};
export type Challenge = { type: "challenge"; name: string; creation: string; nonce: Uint8Array };
export type Answer = { type: "answer"; nonce: Uint8Array; digest: Uint8Array };
export type Ack = { type: "ack"; digest: Uint8Array; hidden: boolean; port: number };
export type Refuse = { type: "refuse"; reason: RefuseReason; message: string };
export type HandshakeFrame = Hello | Challenge | Answer | Ack | Refuse;

/** `timeoutMs` is `Infinity` when the caller sets no deadline. */
export type CallFrame = {
  type: "call";
  id: number;
  module: string;
  function: string;
  args: Value[];
  timeoutMs: number;
};
export type Reply = { type: "reply"; id: number; result: CallResult };
export type Cast = { type: "cast"; module: string; function: string; args: Value[] };
export type Cancel = { type: "cancel"; id: number };
export type Tick = { type: "tick" };
export type Peers = { type: "peers"; nodes: PeerAddress[] };
export type Bye = { type: "bye"; reason: string };
export type LinkFrame = CallFrame | Reply | Cast | Cancel | Tick | Peers | Bye;

export type Frame = HandshakeFrame | LinkFrame;

/** A frame that does not have the shape its tag promises (or is not a frame at all). */
export class FrameError extends Error {
  override name = "FrameError";
}
