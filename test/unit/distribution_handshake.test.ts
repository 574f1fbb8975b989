import { describe, expect, test } from "bun:test";
import { type Channel, channelOf } from "../../lib/distribution/channel.ts";
import { encodeFrame } from "../../lib/distribution/frame_codec.ts";
import type { Frame } from "../../lib/distribution/frames.ts";
import type { HandshakeResult, NodeIdentity } from "../../lib/distribution/handshake.ts";
import { acceptHandshake, type Verdict } from "../../lib/distribution/handshake_acceptor.ts";
import { dialHandshake } from "../../lib/distribution/handshake_dialer.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { flush, memoryPair } from "../support/memory_transport.ts";

const hoge: NodeIdentity = { name: "hoge@localhost", port: 4711, hidden: false, creation: "hoge-creation-1" };
const fuga: NodeIdentity = { name: "fuga@localhost", port: 4712, hidden: true, creation: "fuga-creation-2" };
const COOKIE = "a-very-distinctive-cookie-0123456789";

type Setup = {
  dialer?: Partial<{ self: NodeIdentity; cookie: string; expected: string; nonce: () => Uint8Array }>;
  acceptor?: Partial<{ self: NodeIdentity; cookie: string; admit: (p: NodeIdentity) => Verdict }>;
};

/** hoge dials fuga over an in-memory pair: "a" is the dialer's side. */
async function handshake(opts: Setup = {}) {
  const pair = memoryPair();
  const dialed = dialHandshake(channelOf(pair.a), {
    self: hoge,
    cookie: COOKIE,
    expected: fuga.name,
    timeoutMs: 1000,
    ...opts.dialer,
  });
  const accepted = acceptHandshake(channelOf(pair.b), {
    self: fuga,
    cookie: COOKIE,
    admit: () => "ok",
    timeoutMs: 1000,
    ...opts.acceptor,
  });
  const [d, a] = await Promise.all([dialed, accepted]);
  return { d, a, pair };
}

function refused(r: HandshakeResult) {
  if (r.kind !== "refused") throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
  return r;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The next frame on `ch`; throws when there is none. */
async function frameOn(ch: Channel, timeoutMs = 500): Promise<Frame> {
  const r = await ch.recv(timeoutMs);
  if (r.kind !== "frame") throw new Error(`expected a frame, got ${JSON.stringify(r)}`);
  return r.frame;
}

/** The side "b" of a pair driven by hand: receives decoded frames, sends what the test says. */
function scripted(pair: ReturnType<typeof memoryPair>) {
  const ch = channelOf(pair.b);
  return { recv: () => frameOn(ch), send: (f: Frame) => ch.send(f), raw: (b: Uint8Array) => pair.b.send(b) };
}

describe("handshake", () => {
  test("a successful handshake gives each side the other's name, port, hidden flag and creation", async () => {
    const { d, a } = await handshake();
    expect(d).toEqual({ kind: "ok", peer: fuga });
    expect(a).toEqual({ kind: "ok", peer: hoge });
  });

  test("the acceptor asks admit with the dialer's identity", async () => {
    const seen: NodeIdentity[] = [];
    await handshake({ acceptor: { admit: (p) => (seen.push(p), "ok") } });
    expect(seen).toEqual([hoge]);
  });

  test("the cookie's bytes never appear in any frame exchanged during a handshake", async () => {
    for (const acceptorCookie of [COOKIE, "another-cookie-entirely"]) {
      const { pair } = await handshake({ acceptor: { cookie: acceptorCookie } });
      expect(pair.log.length).toBeGreaterThanOrEqual(4);
      const all = new Uint8Array(pair.log.reduce((n, r) => n + r.bytes.length, 0));
      let at = 0;
      for (const r of pair.log) all.set(r.bytes, (at += r.bytes.length) - r.bytes.length);
      for (const cookie of [COOKIE, acceptorCookie]) {
        const needle = new TextEncoder().encode(cookie);
        expect(contains(all, needle)).toBe(false);
        for (const r of pair.log) expect(contains(r.bytes, needle)).toBe(false);
        // Not even a long piece of it.
        expect(contains(all, needle.subarray(0, 12))).toBe(false);
      }
    }
  });

  test("a wrong cookie is refused on both sides with reason cookie and a message saying what to do", async () => {
    const { d, a } = await handshake({ acceptor: { cookie: "other" } });
    expect(refused(a).reason).toBe("cookie");
    expect(refused(a).message).toContain("hoge@localhost and fuga@localhost must be started with the same --cookie");
    expect(refused(d).reason).toBe("cookie");
  });

  test("an acceptor that cannot prove it knows the cookie is refused by the dialer with reason cookie", async () => {
    const pair = memoryPair();
    const peer = scripted(pair);
    const dialed = dialHandshake(channelOf(pair.a), { self: hoge, cookie: COOKIE, expected: fuga.name, timeoutMs: 500 });
    expect((await peer.recv()).type).toBe("hello");
    peer.send({ type: "challenge", name: fuga.name, creation: "x", nonce: new Uint8Array(32).fill(1) });
    expect((await peer.recv()).type).toBe("answer");
    peer.send({ type: "ack", digest: new Uint8Array(32), hidden: false, port: 1 });
    const r = refused(await dialed);
    expect(r.reason).toBe("cookie");
    expect(r.message).toContain("could not prove it knows the cookie");
    const told = await peer.recv();
    expect(told).toMatchObject({ type: "refuse", reason: "cookie" });
  });

  test("a peer that introduces itself with another name than the one dialled is refused with reason name", async () => {
    const pair = memoryPair();
    const peer = scripted(pair);
    const dialed = dialHandshake(channelOf(pair.a), { self: hoge, cookie: COOKIE, expected: fuga.name, timeoutMs: 500 });
    await peer.recv();
    peer.send({ type: "challenge", name: "piyo@localhost", creation: "x", nonce: new Uint8Array(32).fill(1) });
    const r = refused(await dialed);
    expect(r.reason).toBe("name");
    expect(r.message).toContain("piyo@localhost");
    expect(await peer.recv()).toMatchObject({ type: "refuse", reason: "name" });
  });

  test("a dialer asking for another node than the acceptor is refused with reason name, naming both", async () => {
    const { d, a } = await handshake({ dialer: { expected: "piyo@localhost" } });
    expect(refused(a).reason).toBe("name");
    expect(refused(a).message).toContain("asked for piyo@localhost but this node is fuga@localhost");
    expect(refused(d).reason).toBe("name");
  });

  test("a dialer with a malformed node name is refused with reason name", async () => {
    const { a } = await handshake({ dialer: { self: { ...hoge, name: "no host here" } } });
    expect(refused(a).reason).toBe("name");
  });

  test("admit answering simultaneous refuses the dialer with reason simultaneous", async () => {
    const { d, a } = await handshake({ acceptor: { admit: () => "simultaneous" } });
    expect(refused(a).reason).toBe("simultaneous");
    expect(refused(d).reason).toBe("simultaneous");
  });

  test("admit answering duplicate refuses the dialer with reason duplicate", async () => {
    const { d } = await handshake({ acceptor: { admit: () => "duplicate" } });
    expect(refused(d).reason).toBe("duplicate");
  });

  test("a hello with another protocol version is refused with reason version", async () => {
    const pair = memoryPair();
    const accepted = acceptHandshake(channelOf(pair.b), { self: fuga, cookie: COOKIE, admit: () => "ok", timeoutMs: 500 });
    channelOf(pair.a).send({ type: "hello", version: 2, name: hoge.name, to: fuga.name, port: 1, hidden: false, creation: "c" });
    const r = refused(await accepted);
    expect(r.reason).toBe("version");
    expect(r.message).toContain("same meshrpc version");
  });

  test("garbage from the acceptor becomes a protocol refusal, not a throw", async () => {
    const pair = memoryPair();
    const peer = scripted(pair);
    const dialed = dialHandshake(channelOf(pair.a), { self: hoge, cookie: COOKIE, expected: fuga.name, timeoutMs: 500 });
    await peer.recv();
    peer.raw(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    expect(refused(await dialed).reason).toBe("protocol");
  });

  test("garbage from the dialer becomes a protocol refusal, not a throw", async () => {
    const pair = memoryPair();
    const accepted = acceptHandshake(channelOf(pair.b), { self: fuga, cookie: COOKIE, admit: () => "ok", timeoutMs: 500 });
    pair.a.send(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    expect(refused(await accepted).reason).toBe("protocol");
  });

  test("a frame out of turn becomes a protocol refusal", async () => {
    const pair = memoryPair();
    const accepted = acceptHandshake(channelOf(pair.b), { self: fuga, cookie: COOKIE, admit: () => "ok", timeoutMs: 500 });
    pair.a.send(encodeFrame({ type: "tick" }));
    expect(refused(await accepted).reason).toBe("protocol");
  });

  test("an early close becomes a refusal with reason closed", async () => {
    const pair = memoryPair();
    const dialed = dialHandshake(channelOf(pair.a), { self: hoge, cookie: COOKIE, expected: fuga.name, timeoutMs: 500 });
    await flush();
    pair.b.close(1001, "going away");
    const r = refused(await dialed);
    expect(r.reason).toBe("closed");
    expect(r.message).toContain("going away");
  });

  test("an acceptor that never answers makes the dialer refuse with reason timeout", async () => {
    const clock = new FakeClock();
    const pair = memoryPair();
    let result: HandshakeResult | undefined;
    dialHandshake(channelOf(pair.a, { clock }), {
      self: hoge,
      cookie: COOKIE,
      expected: fuga.name,
      timeoutMs: 3000,
      clock,
    }).then((r) => (result = r));
    await clock.advance(2999);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(refused(result!).reason).toBe("timeout");
  });

  test("the timeout covers the whole handshake, not each step", async () => {
    const clock = new FakeClock();
    const pair = memoryPair();
    const ch = channelOf(pair.b, { clock });
    let result: HandshakeResult | undefined;
    dialHandshake(channelOf(pair.a, { clock }), {
      self: hoge,
      cookie: COOKIE,
      expected: fuga.name,
      timeoutMs: 1000,
      clock,
    }).then((r) => (result = r));
    await clock.advance(600);
    await frameOn(ch, 10);
    ch.send({ type: "challenge", name: fuga.name, creation: "x", nonce: new Uint8Array(32).fill(1) });
    await clock.advance(399);
    expect(result).toBeUndefined();
    await clock.advance(1);
    expect(refused(result!).reason).toBe("timeout");
  });

  test("a nonce that is not 32 bytes is refused by the dialer", async () => {
    const pair = memoryPair();
    const peer = scripted(pair);
    const dialed = dialHandshake(channelOf(pair.a), { self: hoge, cookie: COOKIE, expected: fuga.name, timeoutMs: 500 });
    await peer.recv();
    peer.send({ type: "challenge", name: fuga.name, creation: "x", nonce: new Uint8Array(16) });
    expect(refused(await dialed).reason).toBe("protocol");
  });

  test("a nonce that is not 32 bytes is refused by the acceptor", async () => {
    const pair = memoryPair();
    const accepted = acceptHandshake(channelOf(pair.b), { self: fuga, cookie: COOKIE, admit: () => "ok", timeoutMs: 500 });
    const ch = channelOf(pair.a);
    ch.send({ type: "hello", version: 1, name: hoge.name, to: fuga.name, port: 1, hidden: false, creation: "c" });
    expect((await frameOn(ch)).type).toBe("challenge");
    ch.send({ type: "answer", nonce: new Uint8Array(31), digest: new Uint8Array(32) });
    expect(refused(await accepted).reason).toBe("protocol");
  });

  test("a challenge that echoes the dialer's own nonce is refused as a reflection", async () => {
    const mine = new Uint8Array(32).fill(0xab);
    const pair = memoryPair();
    const peer = scripted(pair);
    const dialed = dialHandshake(channelOf(pair.a), {
      self: hoge,
      cookie: COOKIE,
      expected: fuga.name,
      timeoutMs: 500,
      nonce: () => mine.slice(),
    });
    await peer.recv();
    peer.send({ type: "challenge", name: fuga.name, creation: "x", nonce: mine.slice() });
    const r = refused(await dialed);
    expect(r.reason).toBe("protocol");
    expect(r.message).toContain("reflection");
  });

  test("an answer that echoes the acceptor's nonce is refused as a reflection", async () => {
    const pair = memoryPair();
    const accepted = acceptHandshake(channelOf(pair.b), { self: fuga, cookie: COOKIE, admit: () => "ok", timeoutMs: 500 });
    const ch = channelOf(pair.a);
    ch.send({ type: "hello", version: 1, name: hoge.name, to: fuga.name, port: 1, hidden: false, creation: "c" });
    const challenge = await frameOn(ch);
    if (challenge.type !== "challenge") throw new Error("expected a challenge");
    ch.send({ type: "answer", nonce: challenge.nonce, digest: new Uint8Array(32) });
    const r = refused(await accepted);
    expect(r.reason).toBe("protocol");
    expect(r.message).toContain("reflection");
  });
});
