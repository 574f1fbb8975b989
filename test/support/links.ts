/**
 * Two links joined in memory on one fake clock, for the link tests: hoge on
 * side "a", fuga on side "b", handlers that record what they are given.
 *
 * @module
 */
import { decodeFrames, encodeFrame } from "../../lib/distribution/frame_codec.ts";
import type { Frame, PeerAddress } from "../../lib/distribution/frames.ts";
import type { NodeIdentity } from "../../lib/distribution/handshake.ts";
import { Link } from "../../lib/distribution/link.ts";
import type { IncomingCall, IncomingCast, LinkHandler } from "../../lib/distribution/link_handler.ts";
import { type CallResult, ok } from "../../lib/result.ts";
import { FakeClock } from "./fake_clock.ts";
import { type MemoryPair, memoryPair } from "./memory_transport.ts";

export const hoge: NodeIdentity = { name: "hoge@localhost", port: 4711, hidden: false, creation: "h1" };
export const fuga: NodeIdentity = { name: "fuga@localhost", port: 4712, hidden: false, creation: "f1" };
export const TICKTIME = 4000;

export type Recorder = {
  downs: string[];
  casts: IncomingCast[];
  peers: PeerAddress[][];
  calls: IncomingCall[];
};

export function recorder(): Recorder {
  return { downs: [], casts: [], peers: [], calls: [] };
}

export function handlerFor(rec: Recorder, call?: (req: IncomingCall) => Promise<CallResult>): LinkHandler {
  return {
    call(req) {
      rec.calls.push(req);
      return call ? call(req) : Promise.resolve(ok([req.module, req.function, req.args]));
    },
    cast: (req) => void rec.casts.push(req),
    peers: (nodes) => void rec.peers.push(nodes),
  };
}

const links: Link[] = [];

/** Has `closeLinks` close `link` after the test, like the links a setup makes. */
export function track(link: Link): void {
  links.push(link);
}

/** Closes every link a setup made; for `afterEach`. */
export function closeLinks(): void {
  for (const l of links.splice(0)) if (l.isUp) l.close("test over");
}

/** hoge (side a) and fuga (side b) linked in memory, sharing one fake clock. */
export function setup(fugaCall?: (req: IncomingCall) => Promise<CallResult>) {
  const pair = memoryPair();
  const clock = new FakeClock();
  const recA = recorder();
  const recB = recorder();
  const a = new Link(pair.a, {
    self: hoge,
    peer: fuga,
    ticktimeMs: TICKTIME,
    clock,
    handler: handlerFor(recA),
    onDown: (r) => void recA.downs.push(r),
  });
  const b = new Link(pair.b, {
    self: fuga,
    peer: hoge,
    ticktimeMs: TICKTIME,
    clock,
    handler: handlerFor(recB, fugaCall),
    onDown: (r) => void recB.downs.push(r),
  });
  links.push(a, b);
  return { pair, clock, a, b, recA, recB };
}

/** hoge's link on side a; side b is driven by hand through `raw`. */
export function setupRaw() {
  const pair = memoryPair();
  const clock = new FakeClock();
  const rec = recorder();
  const received: Frame[] = [];
  pair.b.listen({ message: (d) => void received.push(...decodeFrames(d)), close: () => {} });
  const a = new Link(pair.a, {
    self: hoge,
    peer: fuga,
    ticktimeMs: TICKTIME,
    clock,
    handler: handlerFor(rec),
    onDown: (r) => void rec.downs.push(r),
  });
  links.push(a);
  return { pair, clock, a, rec, received, send: (f: Frame) => pair.b.send(encodeFrame(f)) };
}

export function framesFrom(pair: MemoryPair, side: "a" | "b"): Frame[] {
  return pair.log.filter((r) => r.from === side).flatMap((r) => decodeFrames(r.bytes));
}
