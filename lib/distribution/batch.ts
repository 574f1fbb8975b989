/**
 * Frames queued in one burst go out as few messages as possible, each under
 * the size the peer accepts: `[23, frame, frame, ...]` built from the frames'
 * bytes without encoding them again. A frame is checked against the limit
 * before it is queued (see `Link`), so every frame fits in a message alone.
 *
 * @module
 */
import { TAGS } from "./frames.ts";

/** CBOR's head for an array of `n` items (major type 4). */
function arrayHead(n: number): Uint8Array {
  if (n < 24) return Uint8Array.of(0x80 | n);
  if (n < 0x100) return Uint8Array.of(0x98, n);
  if (n < 0x10000) return Uint8Array.of(0x99, n >> 8, n & 0xff);
  return Uint8Array.of(0x9a, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/** The most bytes a batch adds around its frames: a 5-byte array head and the tag. */
export const BATCH_OVERHEAD = 6;

/** One message carrying several encoded link frames. */
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
 * The messages that carry `frames`, in order: consecutive frames share a
 * batch while it stays within `maxBytes`; a frame that fills a message goes
 * alone, unwrapped, and a frame in parts (one over `maxBytes`, to go as
 * fragments) goes alone as it is.
 */
export function packMessages(frames: (Uint8Array | Uint8Array[])[], maxBytes: number): (Uint8Array | Uint8Array[])[] {
  const out: (Uint8Array | Uint8Array[])[] = [];
  // The frames of the batch being filled: frames[from] up to, not including, frames[i].
  let from = 0;
  let size = BATCH_OVERHEAD;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!(f instanceof Uint8Array)) {
      addGroup(out, frames, from, i);
      out.push(f);
      from = i + 1;
      size = BATCH_OVERHEAD;
      continue;
    }
    if (i > from && size + f.length > maxBytes) {
      addGroup(out, frames, from, i);
      from = i;
      size = BATCH_OVERHEAD;
    }
    size += f.length;
  }
  addGroup(out, frames, from, frames.length);
  return out;
}

/** Adds frames[from..to) to `out`: nothing, the one frame as it is, or a batch of them. */
function addGroup(out: (Uint8Array | Uint8Array[])[], frames: (Uint8Array | Uint8Array[])[], from: number, to: number): void {
  if (to - from === 1) out.push(frames[from]);
  else if (to - from > 1) out.push(encodeBatch(frames.slice(from, to) as Uint8Array[]));
}
