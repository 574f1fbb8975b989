/**
 * What a link makes of the wire messages a peer sends: fragments joined,
 * then frames decoded within the limits, or why the link must go down.
 *
 * @module
 */
import { DEFAULT_LIMITS, type Limits } from "../codec/limits.ts";
import type { Handoff } from "./channel.ts";
import { errorMessage } from "./encode_failure.ts";
import { decodeFrames } from "./frame_codec.ts";
import { Joiner } from "./fragments.ts";
import type { Frame } from "./frames.ts";

export class Inbound {
  #peer: string;
  #limits?: Limits;
  #joiner: Joiner;

  constructor(peer: string, limits?: Limits) {
    this.#peer = peer;
    this.#limits = limits;
    this.#joiner = new Joiner((limits ?? DEFAULT_LIMITS).maxBytes);
  }

  /** The frames a wire message completes (none while fragments are due), or why the link must go down. */
  framesOf(data: Uint8Array): Frame[] | string {
    const joined = this.#joiner.push(data);
    if (joined.kind === "partial") return [];
    if (joined.kind === "error") return `protocol error: ${this.#peer} sent ${joined.message}`;
    try {
      return decodeFrames(joined.data, this.#limits);
    } catch (err) {
      return `protocol error: ${this.#peer} sent a malformed frame (${errorMessage(err)})`;
    }
  }

  /** The frames of what arrived during the handshake's last steps, in order, and why to go down if it must. */
  handoff(h: Handoff): { frames: Frame[]; down?: string } {
    const frames = h.frames.slice();
    for (const m of h.messages) {
      const decoded = this.framesOf(m);
      if (typeof decoded === "string") return { frames, down: h.down ?? decoded };
      frames.push(...decoded);
    }
    return { frames, down: h.down };
  }
}
