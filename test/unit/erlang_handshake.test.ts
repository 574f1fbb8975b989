/**
 * Erlang's version-6 handshake between two in-memory sides: MD5 as
 * `dist_util` computes it, both roles, and every refusal (wrong cookie,
 * wrong name, missing flags, silence, oversize) ending in a reason, never
 * a rejection. Packets split across chunks still arrive whole.
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { DFLAG, missingFlags, ourFlags } from "../../lib/erlang/flags.ts";
import { acceptErlang, dialErlang, type ErlHandshakeOptions } from "../../lib/erlang/handshake.ts";
import { decodeHandshake, digest, encodeName } from "../../lib/erlang/handshake_messages.ts";
import { md5 } from "../../lib/erlang/md5.ts";
import { framed, PacketReader, PacketTooLarge } from "../../lib/erlang/packets.ts";
import { ErlSocket } from "../../lib/erlang/socket.ts";
import { systemClock } from "../../lib/distribution/clock.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { streamPair } from "../support/byte_streams.ts";

function options(name: string, cookie = "secret"): ErlHandshakeOptions {
  return { self: { name, creation: 7, hidden: false }, cookie, timeoutMs: 1000, clock: systemClock };
}

describe("MD5 and the digest", () => {
  test("md5 matches node:crypto on lengths around the block size", () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 200]) {
      const data = new Uint8Array(n).map((_, i) => (i * 7) & 255);
      expect(Buffer.from(md5(data)).toString("hex")).toBe(createHash("md5").update(data).digest("hex"));
    }
  });

  test("the digest is MD5 of the cookie and the challenge in decimal, read unsigned", () => {
    expect(Buffer.from(digest("c", 0xffffffff)).toString("hex")).toBe(createHash("md5").update("c4294967295").digest("hex"));
  });
});

describe("packets", () => {
  test("a packet split over many chunks comes out whole, then the next", () => {
    const r = new PacketReader(100);
    const bytes = new Uint8Array([...framed(new Uint8Array([1, 2, 3]), 2), ...framed(new Uint8Array([4]), 2)]);
    for (const b of bytes) r.push(new Uint8Array([b]));
    expect([...r.next()!]).toEqual([1, 2, 3]);
    expect([...r.next()!]).toEqual([4]);
    expect(r.next()).toBeUndefined();
  });

  test("a length over the limit is refused before its bytes arrive", () => {
    const r = new PacketReader(10);
    r.headerBytes = 4;
    r.push(new Uint8Array([0, 0, 1, 0]));
    expect(() => r.next()).toThrow(PacketTooLarge);
  });
});

describe("flags", () => {
  test("this node advertises OTP 25's set, SPAWN, and no atom cache or fragments", () => {
    expect(missingFlags(ourFlags(false))).toEqual([]);
    expect(ourFlags(false) & DFLAG.SPAWN).toBe(DFLAG.SPAWN);
    expect(ourFlags(false) & (DFLAG.DIST_HDR_ATOM_CACHE | DFLAG.FRAGMENTS)).toBe(0n);
    expect(ourFlags(true) & DFLAG.PUBLISHED).toBe(0n);
  });

  test("MANDATORY_25_DIGEST alone stands for the OTP 25 set", () => {
    expect(missingFlags(DFLAG.MANDATORY_25_DIGEST)).toEqual([]);
    expect(missingFlags(DFLAG.UTF8_ATOMS)).toContain("BIG_CREATION");
  });

  test("the dialer's name message round-trips; a short one decodes as nothing", () => {
    const m = encodeName({ flags: 0x5074F5FBDn, creation: 9, name: "ts@localhost" });
    expect(decodeHandshake(m, false)).toEqual({ tag: "name", flags: 0x5074F5FBDn, creation: 9, name: "ts@localhost" });
    expect(decodeHandshake(m.subarray(0, 10), false)).toBeUndefined();
  });
});

describe("handshake", () => {
  async function run(dialer: ErlHandshakeOptions, acceptor: ErlHandshakeOptions, expected = acceptor.self.name, chunk?: number) {
    const [a, b] = streamPair(chunk);
    const [da, db] = [new ErlSocket(a, systemClock), new ErlSocket(b, systemClock)];
    // As the node does: a refused side closes its connection.
    const closing = (s: ErlSocket) => (r: Awaited<ReturnType<typeof dialErlang>>) => (r.kind === "ok" || s.close(), r);
    const [d, c] = await Promise.all([
      dialErlang(da, expected, dialer).then(closing(da)),
      acceptErlang(db, () => "ok", acceptor).then(closing(db)),
    ]);
    return { dialed: d, accepted: c };
  }

  test("both sides with the same cookie authenticate each other, even byte by byte", async () => {
    const { dialed, accepted } = await run(options("ts@localhost"), options("ex@localhost"), "ex@localhost", 1);
    expect(dialed).toMatchObject({ kind: "ok", peer: { name: "ex@localhost", creation: 7, hidden: false } });
    expect(accepted).toMatchObject({ kind: "ok", peer: { name: "ts@localhost" } });
  });

  test("a wrong cookie is refused on the accepting side with reason cookie", async () => {
    const { dialed, accepted } = await run(options("ts@localhost", "wrong"), options("ex@localhost"));
    expect(accepted).toMatchObject({ kind: "refused", reason: "cookie" });
    expect(dialed.kind).toBe("refused");
  });

  test("a node that is not the one dialled is refused with reason name", async () => {
    const { dialed } = await run(options("ts@localhost"), options("other@localhost"), "ex@localhost");
    expect(dialed).toMatchObject({ kind: "refused", reason: "name" });
  });

  test("a silent peer ends the handshake at its deadline", async () => {
    const clock = new FakeClock();
    const [a] = streamPair();
    const r = dialErlang(new ErlSocket(a, clock), "ex@localhost", { ...options("ts@localhost"), clock });
    await clock.advance(1000);
    expect(await r).toMatchObject({ kind: "refused", reason: "timeout" });
  });

  test("an oversized handshake packet is refused unread", async () => {
    const [a, b] = streamPair();
    const r = acceptErlang(new ErlSocket(b, systemClock), () => "ok", options("ex@localhost"));
    a.write(new Uint8Array([0xff, 0xff, 0x4e]));
    expect(await r).toMatchObject({ kind: "refused", reason: "protocol" });
  });
});
