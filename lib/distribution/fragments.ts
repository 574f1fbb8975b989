/**
 * No WebSocket message on `/dist` is larger than `WIRE_MESSAGE_MAX`, before
 * or after authentication, so that the server can refuse anything bigger
 * before buffering it: a stranger can make a node hold at most that much
 * per connection. A link message that is larger (a big argument or result,
 * up to the 8 MiB frame limit) travels as consecutive fragment frames,
 * `[24, more, chunk]`, which the receiving link joins back into one message
 * before decoding it; Erlang fragments large distribution messages too
 * (`DFLAG_FRAGMENTS`), for the same reasons.
 *
 * @module
 */
import { byteLength, concatBytes } from "../core/bytes.ts";
import { TAGS } from "./frames.ts";

/** The largest WebSocket message a link sends or accepts. */
export const WIRE_MESSAGE_MAX = 256 * 1024;

// [24, more, bytes]: array of 3, tag 24 (0x18 0x18), true/false, a byte string with a 4-byte length.
const HEAD = 9;
const CHUNK = WIRE_MESSAGE_MAX - HEAD;

// The one buffer fragments are built in: a transport's send copies what it
// is given (see `Transport.send`), so the buffer is free again at once.
let scratch: Uint8Array | undefined;

/**
 * Sends `message` (one array, or parts to be read as one) with `send`:
 * itself, or as fragment frames of at most `WIRE_MESSAGE_MAX` bytes, each
 * built by copying its share of the parts once into a reused buffer (so
 * `send` must copy what it is given before it returns).
 */
export function sendFragmented(message: Uint8Array | readonly Uint8Array[], send: (frame: Uint8Array) => void): void {
  // A message that fits, the usual case: sent as it is, with no list of parts made for it.
  if (message instanceof Uint8Array && message.length <= WIRE_MESSAGE_MAX) return send(message);
  const parts = message instanceof Uint8Array ? [message] : message;
  const total = byteLength(parts);
  if (parts.length === 1 && total <= WIRE_MESSAGE_MAX) return send(parts[0]);
  const f = scratch ??= new Uint8Array(WIRE_MESSAGE_MAX);
  scratch = undefined; // a send that fragments again (it never does) gets its own
  try {
    if (total <= WIRE_MESSAGE_MAX) {
      // Parts of one message that fits: joined in the buffer, not in a new array.
      let at = 0;
      for (const p of parts) {
        f.set(p, at);
        at += p.length;
      }
      return send(f.subarray(0, total));
    }
    cut(parts, total, f, send);
  } finally {
    scratch = f;
  }
}

/** Sends `parts` (over the wire limit) as equal fragment frames built in `f`. */
function cut(parts: readonly Uint8Array[], total: number, f: Uint8Array, send: (frame: Uint8Array) => void): void {
  // Equal parts: a small last part would wait in the kernel for the ACK of the
  // others (Nagle's algorithm; the runtimes' WebSockets do not set TCP_NODELAY),
  // up to the peer's delayed ACK: measured here, 1 MiB echoes went 5x slower.
  const size = Math.ceil(total / Math.ceil(total / CHUNK));
  let part = 0;
  let offset = 0;
  for (let at = 0; at < total; at += size) {
    const length = Math.min(size, total - at);
    f[0] = 0x83;
    f[1] = 0x18;
    f[2] = TAGS.fragment;
    f[3] = at + length < total ? 0xf5 : 0xf4;
    f[4] = 0x5a;
    f[5] = length >>> 24;
    f[6] = (length >> 16) & 0xff;
    f[7] = (length >> 8) & 0xff;
    f[8] = length & 0xff;
    for (let filled = 0; filled < length;) {
      const take = Math.min(length - filled, parts[part].length - offset);
      f.set(parts[part].subarray(offset, offset + take), HEAD + filled);
      filled += take;
      offset += take;
      if (offset === parts[part].length) {
        part++;
        offset = 0;
      }
    }
    send(f.subarray(0, HEAD + length));
  }
}

function isFragment(data: Uint8Array): boolean {
  return data.length >= HEAD && data[0] === 0x83 && data[1] === 0x18 && data[2] === TAGS.fragment;
}

/** What the joiner makes of one wire message. */
export type Joined =
  /** A whole message, to decode (`data` itself, or the fragments joined). */
  | { kind: "message"; data: Uint8Array }
  /** A fragment was kept; more are due. */
  | { kind: "partial" }
  /** The peer broke the rules: a message over the wire limit, a malformed fragment, or too much in total. */
  | { kind: "error"; message: string };

/** Joins a link's fragments back into messages, never holding more than `maxBytes`. */
export class Joiner {
  #maxBytes: number;
  #parts: Uint8Array[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Takes the next wire message, in order. */
  push(data: Uint8Array): Joined {
    if (data.length > WIRE_MESSAGE_MAX) {
      return { kind: "error", message: `a message of ${data.length} bytes, over the wire limit of ${WIRE_MESSAGE_MAX}` };
    }
    if (!isFragment(data)) {
      if (this.#parts.length > 0) return { kind: "error", message: "a message in the middle of a fragmented one" };
      return { kind: "message", data };
    }
    const more = data[3];
    const length = data[4] === 0x5a ? new DataView(data.buffer, data.byteOffset).getUint32(5) : -1;
    if ((more !== 0xf5 && more !== 0xf4) || length !== data.length - HEAD) {
      return { kind: "error", message: "a malformed fragment frame" };
    }
    this.#size += length;
    if (this.#size > this.#maxBytes) {
      return { kind: "error", message: `a fragmented message over the limit of ${this.#maxBytes} bytes` };
    }
    this.#parts.push(data.subarray(HEAD));
    if (more === 0xf5) return { kind: "partial" };
    const whole = concatBytes(this.#parts);
    this.#parts = [];
    this.#size = 0;
    return { kind: "message", data: whole };
  }
}
