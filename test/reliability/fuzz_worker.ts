/**
 * The in-process fuzz, run in its own process by fuzz_local.ts so that a
 * real crash or hang is seen as one and its memory is its own:
 *
 *   bun run test/reliability/fuzz_worker.ts COUNT SEED
 *
 * Every input goes to the frame decoder; half of them (link frames and
 * their mutations) also to a `Link` over an in-memory transport, the other
 * half (handshake frames) to the acceptor side of the handshake, alone or
 * after a valid hello. A crash is an exception that escapes where the
 * documentation says none can (the decoder may only throw `FrameError`;
 * a Link and a handshake never throw or reject for what the peer sends),
 * or any uncaught exception or unhandled rejection. Prints one JSON line.
 *
 * @module
 */
import { FakeClock } from "../support/fake_clock.ts";
import { flush, memoryPair } from "../support/memory_transport.ts";
import { fuzzInput, hexHead, rng, type Shape, validHello } from "./fuzz_inputs.ts";
import {
  acceptHandshake,
  channelOf,
  decodeFrames,
  DEFAULT_LIMITS,
  FrameError,
  Link,
  type LinkHandler,
  type NodeIdentity,
  ok,
} from "./wire.ts";

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
const BATCH = 250;
const COOKIE = "fuzz-cookie-0123456789";
const hoge: NodeIdentity = { name: "hoge@localhost", port: 4711, hidden: false, creation: "h1" };
const fuga: NodeIdentity = { name: "fuga@localhost", port: 4712, hidden: false, creation: "f1" };

type Target = "decoder" | "link" | "handshake" | "unhandled";
const crashes: Record<Target, number> = { decoder: 0, link: 0, handshake: 0, unhandled: 0 };
const samples: string[] = [];
let batchStart = 0;

function crash(target: Target, err: unknown, input?: Uint8Array): void {
  crashes[target]++;
  if (samples.length < 10) {
    const e = err as Error;
    const where = input ? `input ${hexHead(input)}` : `batch from input ${batchStart}`;
    samples.push(`${target}: ${e?.name ?? "?"}: ${String(e?.message ?? e).slice(0, 200)} (${where}; seed ${seed})`);
  }
}

process.on("uncaughtException", (err) => crash("unhandled", err));
process.on("unhandledRejection", (err) => crash("unhandled", err));

/** A codec failure that is not the codec's own error, or cborg's, hidden inside a FrameError. */
let internal = 0;
function decodeOne(input: Uint8Array): void {
  try {
    decodeFrames(input, DEFAULT_LIMITS);
  } catch (err) {
    if (!(err instanceof FrameError)) {
      crash("decoder", err, input);
      return;
    }
    let cause = (err as Error).cause as Error | undefined;
    while (cause?.cause) cause = cause.cause as Error;
    if (cause && (cause.name === "TypeError" || cause.name === "RangeError" || cause.name === "ReferenceError")) {
      internal++;
      if (samples.length < 10) samples.push(`decoder internal ${cause.name}: ${cause.message.slice(0, 200)} (input ${hexHead(input)})`);
    }
  }
}

const handler: LinkHandler = {
  call: (req) => Promise.resolve(ok(req.args)),
  cast: () => {},
  peers: () => {},
};

const stats = { linkDown: 0, linkUp: 0, handshakeOk: 0, handshakeRefused: 0, unsettled: 0 };

async function linkBatch(inputs: Uint8Array[], clock: FakeClock): Promise<void> {
  const links: Link[] = [];
  for (const input of inputs) {
    const pair = memoryPair();
    let link: Link;
    try {
      link = new Link(pair.a, { self: hoge, peer: fuga, ticktimeMs: 60_000, clock, handler, limits: DEFAULT_LIMITS, onDown: () => {} });
      // A pending call, so that replies and cancels with id 1 find something.
      link.call("rpc", "echo", [1], { timeoutMs: 1000 }).catch((err) => crash("link", err, input));
      pair.b.send(input);
    } catch (err) {
      crash("link", err, input);
      continue;
    }
    links.push(link);
  }
  await flush();
  await clock.advance(2000);
  for (const l of links) {
    if (l.isUp) stats.linkUp++;
    else stats.linkDown++;
    try {
      l.close("fuzz batch over");
    } catch (err) {
      crash("link", err);
    }
  }
}

async function handshakeBatch(inputs: Uint8Array[], clock: FakeClock, r: () => number): Promise<void> {
  let settled = 0;
  for (const input of inputs) {
    const pair = memoryPair();
    try {
      acceptHandshake(channelOf(pair.b, { clock, limits: DEFAULT_LIMITS }), {
        self: fuga,
        cookie: COOKIE,
        admit: () => "ok",
        timeoutMs: 1000,
        clock,
      }).then((res) => {
        settled++;
        if (res.kind === "ok") stats.handshakeOk++;
        else stats.handshakeRefused++;
      }, (err) => {
        settled++;
        crash("handshake", err, input);
      });
      if (r() < 0.5) pair.a.send(validHello(fuga.name));
      pair.a.send(input);
    } catch (err) {
      settled++;
      crash("handshake", err, input);
    }
  }
  // The cookie's key is imported by WebCrypto off the event loop: give it real time, then move the fake one.
  const deadline = Date.now() + 5000;
  while (settled < inputs.length && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 1));
    await clock.advance(1500);
  }
  stats.unsettled += inputs.length - settled;
}

async function main(): Promise<void> {
  const r = rng(seed);
  const started = Date.now();
  let rssPeak = 0;
  const half = { link: 0, handshake: 0 };
  for (batchStart = 0; batchStart < count; batchStart += BATCH) {
    const n = Math.min(BATCH, count - batchStart);
    const shape: Shape = (batchStart / BATCH) % 2 === 0 ? "link" : "handshake";
    const inputs = Array.from({ length: n }, () => fuzzInput(r, shape, fuga.name));
    for (const input of inputs) decodeOne(input);
    const clock = new FakeClock();
    if (shape === "link") await linkBatch(inputs, clock);
    else await handshakeBatch(inputs, clock, r);
    half[shape] += n;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  await flush();
  console.log(JSON.stringify({
    seed,
    inputs: count,
    decoderInputs: count,
    linkInputs: half.link,
    handshakeInputs: half.handshake,
    crashes,
    internal,
    ...stats,
    rssPeak,
    ms: Date.now() - started,
    samples,
  }));
}

await main();
