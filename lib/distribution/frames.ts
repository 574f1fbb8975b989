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
 *
 * A reply's result is itself an array led by the index of its kind in `KINDS`:
 * `[0, value]`, `[1, name, message, stack or null(, data)]`, `[2, module, function]`,
 * `[3, node(, reason)]`, `[4, node, timeoutMs]`, `[5, message]`, `[6]`.
 *
 * @module
 */
import { decode } from "../codec/cbor_decode.ts";
import { encode } from "../codec/cbor_encode.ts";
import type { Limits } from "../codec/limits.ts";
import type { CallResult, Exception, Value } from "../result.ts";

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

const KIND_TAGS = ["ok", "exception", "undef", "noconnection", "timeout", "badarg", "unauthorized"] as const;

function encodeResult(r: CallResult): unknown[] {
  switch (r.kind) {
    case "ok":
      return [0, r.value];
    case "exception":
      return r.data === undefined
        ? [1, r.name, r.message, r.stack ?? null]
        : [1, r.name, r.message, r.stack ?? null, r.data];
    case "undef":
      return [2, r.module, r.function];
    case "noconnection":
      return r.reason === undefined ? [3, r.node] : [3, r.node, r.reason];
    case "timeout":
      return [4, r.node, r.timeoutMs];
    case "badarg":
      return [5, r.message];
    case "unauthorized":
      return [6];
    default:
      throw new TypeError(`Not a CallResult: kind ${String((r as { kind?: unknown }).kind)}`);
  }
}

function toArray(f: Frame): unknown[] {
  switch (f.type) {
    case "hello":
      return [TAGS.hello, f.version, f.name, f.to, f.port, f.hidden, f.creation];
    case "challenge":
      return [TAGS.challenge, f.name, f.creation, f.nonce];
    case "answer":
      return [TAGS.answer, f.nonce, f.digest];
    case "ack":
      return [TAGS.ack, f.digest, f.hidden, f.port];
    case "refuse":
      return [TAGS.refuse, f.reason, f.message];
    case "call":
      return [
        TAGS.call,
        f.id,
        f.module,
        f.function,
        f.args,
        Number.isFinite(f.timeoutMs) ? f.timeoutMs : null,
      ];
    case "reply":
      return [TAGS.reply, f.id, encodeResult(f.result)];
    case "cast":
      return [TAGS.cast, f.module, f.function, f.args];
    case "cancel":
      return [TAGS.cancel, f.id];
    case "tick":
      return [TAGS.tick];
    case "peers":
      return [TAGS.peers, f.nodes.map((n) => [n.name, n.port])];
    case "bye":
      return [TAGS.bye, f.reason];
    default:
      throw new TypeError(`Not a frame: type ${String((f as { type?: unknown }).type)}`);
  }
}

/**
 * Encodes one frame as the bytes of one WebSocket message.
 *
 * Throws the codec's `CodecError` when a call's arguments or a reply's value
 * cannot be carried by CBOR (functions, symbols, cycles); a `TypeError` for
 * an object that is not a `Frame` at all.
 */
export function encodeFrame(f: Frame): Uint8Array {
  return encode(toArray(f));
}

// ---- decoding: every check names the frame and the field that is wrong ----

function fail(what: string, detail: string): never {
  throw new FrameError(`Malformed ${what} frame: ${detail}`);
}

function arity(a: unknown[], n: number, what: string): void {
  if (a.length !== n) fail(what, `expected ${n} elements, got ${a.length}`);
}

function str(x: unknown, what: string, field: string): string {
  if (typeof x !== "string") fail(what, `${field} must be a string`);
  return x;
}

function bool(x: unknown, what: string, field: string): boolean {
  if (typeof x !== "boolean") fail(what, `${field} must be a boolean`);
  return x;
}

function bytes(x: unknown, what: string, field: string): Uint8Array {
  if (!(x instanceof Uint8Array)) fail(what, `${field} must be a byte string`);
  return x;
}

function uint(x: unknown, what: string, field: string): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
    fail(what, `${field} must be a non-negative integer`);
  }
  return x;
}

function millis(x: unknown, what: string, field: string): number {
  if (typeof x !== "number" || !(x >= 0)) fail(what, `${field} must be a non-negative number`);
  return x;
}

function port(x: unknown, what: string): number {
  const p = uint(x, what, "port");
  if (p > 65535) fail(what, "port must be at most 65535");
  return p;
}

function args(x: unknown, what: string): Value[] {
  if (!Array.isArray(x)) fail(what, "args must be an array");
  return x as Value[];
}

function decodeResult(x: unknown): CallResult {
  const what = "reply";
  if (!Array.isArray(x) || x.length === 0) fail(what, "result must be a non-empty array");
  const kind = KIND_TAGS[x[0] as number];
  if (typeof x[0] !== "number" || kind === undefined) fail(what, `unknown result kind ${String(x[0])}`);
  const bad = (n: string) => fail(what, `a ${kind} result needs ${n}`);
  switch (kind) {
    case "ok":
      if (x.length !== 2) bad("exactly a value");
      return { kind, value: x[1] as Value };
    case "exception": {
      if (x.length !== 4 && x.length !== 5) bad("a name, a message, a stack and optional data");
      const e: Exception = {
        kind,
        name: str(x[1], what, "exception name"),
        message: str(x[2], what, "exception message"),
      };
      if (x[3] !== null) e.stack = str(x[3], what, "exception stack");
      if (x.length === 5) e.data = x[4] as Value;
      return e;
    }
    case "undef":
      if (x.length !== 3) bad("a module and a function");
      return { kind, module: str(x[1], what, "module"), function: str(x[2], what, "function") };
    case "noconnection":
      if (x.length !== 2 && x.length !== 3) bad("a node and an optional reason");
      return x.length === 2
        ? { kind, node: str(x[1], what, "node") }
        : { kind, node: str(x[1], what, "node"), reason: str(x[2], what, "reason") };
    case "timeout":
      if (x.length !== 3) bad("a node and a timeout");
      return { kind, node: str(x[1], what, "node"), timeoutMs: millis(x[2], what, "timeoutMs") };
    case "badarg":
      if (x.length !== 2) bad("a message");
      return { kind, message: str(x[1], what, "message") };
    case "unauthorized":
      if (x.length !== 1) bad("no fields");
      return { kind };
  }
}

function fromArray(a: unknown[]): Frame {
  const tag = a[0];
  switch (tag) {
    case TAGS.hello: {
      const w = "hello";
      arity(a, 7, w);
      return {
        type: w,
        version: uint(a[1], w, "version"),
        name: str(a[2], w, "name"),
        to: str(a[3], w, "to"),
        port: port(a[4], w),
        hidden: bool(a[5], w, "hidden"),
        creation: str(a[6], w, "creation"),
      };
    }
    case TAGS.challenge: {
      const w = "challenge";
      arity(a, 4, w);
      return { type: w, name: str(a[1], w, "name"), creation: str(a[2], w, "creation"), nonce: bytes(a[3], w, "nonce") };
    }
    case TAGS.answer: {
      const w = "answer";
      arity(a, 3, w);
      return { type: w, nonce: bytes(a[1], w, "nonce"), digest: bytes(a[2], w, "digest") };
    }
    case TAGS.ack: {
      const w = "ack";
      arity(a, 4, w);
      return { type: w, digest: bytes(a[1], w, "digest"), hidden: bool(a[2], w, "hidden"), port: port(a[3], w) };
    }
    case TAGS.refuse: {
      const w = "refuse";
      arity(a, 3, w);
      const reason = str(a[1], w, "reason");
      if (!(REFUSE_REASONS as readonly string[]).includes(reason)) fail(w, `unknown reason "${reason}"`);
      return { type: w, reason: reason as RefuseReason, message: str(a[2], w, "message") };
    }
    case TAGS.call: {
      const w = "call";
      arity(a, 6, w);
      const t = a[5] === null ? Infinity : millis(a[5], w, "timeoutMs (or null)");
      return {
        type: w,
        id: uint(a[1], w, "id"),
        module: str(a[2], w, "module"),
        function: str(a[3], w, "function"),
        args: args(a[4], w),
        timeoutMs: t,
      };
    }
    case TAGS.reply: {
      arity(a, 3, "reply");
      return { type: "reply", id: uint(a[1], "reply", "id"), result: decodeResult(a[2]) };
    }
    case TAGS.cast: {
      const w = "cast";
      arity(a, 4, w);
      return { type: w, module: str(a[1], w, "module"), function: str(a[2], w, "function"), args: args(a[3], w) };
    }
    case TAGS.cancel:
      arity(a, 2, "cancel");
      return { type: "cancel", id: uint(a[1], "cancel", "id") };
    case TAGS.tick:
      arity(a, 1, "tick");
      return { type: "tick" };
    case TAGS.peers: {
      const w = "peers";
      arity(a, 2, w);
      if (!Array.isArray(a[1])) fail(w, "nodes must be an array");
      const nodes = (a[1] as unknown[]).map((n) => {
        if (!Array.isArray(n) || n.length !== 2) fail(w, "each node must be a [name, port] pair");
        return { name: str(n[0], w, "node name"), port: port(n[1], w) };
      });
      return { type: w, nodes };
    }
    case TAGS.bye:
      arity(a, 2, "bye");
      return { type: "bye", reason: str(a[1], "bye", "reason") };
    default:
      throw new FrameError(`Unknown frame tag ${String(tag)}: the peer speaks another protocol or version`);
  }
}

/** CBOR's head for an array of `n` items (major type 4). */
function arrayHead(n: number): Uint8Array {
  if (n < 24) return Uint8Array.of(0x80 | n);
  if (n < 0x100) return Uint8Array.of(0x98, n);
  if (n < 0x10000) return Uint8Array.of(0x99, n >> 8, n & 0xff);
  return Uint8Array.of(0x9a, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/**
 * One message carrying several encoded link frames, `[23, frame, frame, ...]`,
 * built from their bytes without encoding them again.
 */
export function encodeBatch(frames: Uint8Array[]): Uint8Array {
  const head = arrayHead(frames.length + 1);
  let size = head.length + 1;
  for (const f of frames) size += f.length;
  const out = new Uint8Array(size);
  out.set(head, 0);
  out[head.length] = TAGS.batch;
  let at = head.length + 1;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/**
 * The frames of one message: itself, or those of a batch (which holds only
 * link frames, never another batch). Throws FrameError like `decodeFrame`.
 */
export function decodeFrames(data: Uint8Array, limits?: Limits): Frame[] {
  let value: unknown;
  try {
    // A batch adds one level of nesting around its frames.
    value = decode(data, limits && { ...limits, maxDepth: limits.maxDepth + 1 });
  } catch (err) {
    throw new FrameError(`Undecodable frame: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new FrameError("Malformed frame: expected a non-empty CBOR array");
  }
  if (value[0] !== TAGS.batch) return [fromArray(value)];
  return value.slice(1).map((f) => {
    if (!Array.isArray(f) || f.length === 0 || f[0] === TAGS.batch || (f[0] as number) < TAGS.call) {
      throw new FrameError("Malformed batch: it holds link frames only");
    }
    return fromArray(f);
  });
}

/**
 * Decodes and validates one message. Never returns a half-valid frame.
 *
 * Throws `FrameError` when the bytes are not CBOR, exceed `limits` (the
 * codec's error is the `cause`), are not a tagged array, or a field has the
 * wrong type or the frame the wrong number of elements.
 */
export function decodeFrame(data: Uint8Array, limits?: Limits): Frame {
  let value: unknown;
  try {
    value = decode(data, limits);
  } catch (err) {
    throw new FrameError(`Undecodable frame: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new FrameError("Malformed frame: expected a non-empty CBOR array");
  }
  return fromArray(value);
}
