/**
 * Everything the in-process fuzz takes from lib/, in one place: when the
 * wire format's files move or split, only these lines change.
 *
 * @module
 */
export { FrameError } from "../../lib/distribution/frames.ts";
export { decodeFrames } from "../../lib/distribution/frame_codec.ts";
export { acceptHandshake } from "../../lib/distribution/handshake_acceptor.ts";
export { channelOf } from "../../lib/distribution/channel.ts";
export type { NodeIdentity } from "../../lib/distribution/handshake.ts";
export type { IncomingCall, LinkHandler } from "../../lib/distribution/link_handler.ts";
export { Link } from "../../lib/distribution/link.ts";
export { DEFAULT_LIMITS } from "../../lib/codec/limits.ts";
export { ok } from "../../lib/result.ts";
