/**
 * Everything the in-process fuzz takes from lib/, in one place: when the
 * wire format's files move or split, only these lines change.
 *
 * @module
 */
export { decodeFrame, decodeFrames, FrameError } from "../../lib/distribution/frames.ts";
export { acceptHandshake, channelOf, type NodeIdentity } from "../../lib/distribution/handshake.ts";
export { type IncomingCall, Link, type LinkHandler } from "../../lib/distribution/link.ts";
export { DEFAULT_LIMITS } from "../../lib/codec/limits.ts";
export { ok } from "../../lib/result.ts";
