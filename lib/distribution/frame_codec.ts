/**
 * Frames to bytes and back: each WebSocket message is one CBOR array led by
 * its tag (see `frames.ts`), or a batch of link frames sent in one burst.
 * One decoder reads both.
 *
 * @module
 */
import { clipUntrusted } from "../core/untrusted.ts";
import { decode } from "../codec/cbor_decode.ts";
import { encode, encodeParts } from "../codec/cbor_encode.ts";
import type { Limits } from "../codec/limits.ts";
import { args, arity, bool, bytes, fail, millis, port, str, uint } from "./frame_fields.ts";
import { type Frame, FrameError, REFUSE_REASONS, type RefuseReason, TAGS } from "./frames.ts";
import { decodeResult, encodeResult } from "./result_codec.ts";

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

/**
 * `encodeFrame` as parts (`encodeParts`): large byte strings in the frame
 * are parts of their own, by reference, to be copied once, into the wire
 * messages that carry them.
 */
export function encodeFrameParts(f: Frame): Uint8Array[] {
  return encodeParts(toArray(f));
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
      if (!(REFUSE_REASONS as readonly string[]).includes(reason)) fail(w, `unknown reason "${clipUntrusted(reason)}"`);
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

const SHARE_BYTES = { shareBytes: true };
// The limits of the last caller, with the one level of nesting a batch adds around its frames.
let batchOf: { limits: Limits; batch: Limits } | undefined;

function batchLimits(limits: Limits): Limits {
  if (batchOf?.limits !== limits) batchOf = { limits, batch: { ...limits, maxDepth: limits.maxDepth + 1 } };
  return batchOf.batch;
}

/**
 * Decodes and validates one message: its one frame, or the frames of a
 * batch (which holds only link frames, never another batch). Never returns
 * a half-valid frame.
 *
 * Throws `FrameError` when the bytes are not CBOR, exceed `limits` (the
 * codec's error is the `cause`), are not a tagged array, or a field has the
 * wrong type or a frame the wrong number of elements.
 *
 * `data` must be the caller's own, never changed afterwards: a large byte
 * string in a frame is a view of it (a wire message is a fresh buffer).
 */
export function decodeFrames(data: Uint8Array, limits?: Limits): Frame[] {
  let value: unknown;
  try {
    value = decode(data, limits && batchLimits(limits), SHARE_BYTES);
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
