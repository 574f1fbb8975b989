import { describe, expect, test } from "bun:test";
import { channelOf, HANDSHAKE_MESSAGE_MAX } from "../../lib/distribution/channel.ts";
import { encodeBatch } from "../../lib/distribution/batch.ts";
import { encodeFrame } from "../../lib/distribution/frame_codec.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { flush, memoryPair } from "../support/memory_transport.ts";

describe("channel", () => {
  test("hands over what arrived after the peer's two handshake frames: frames not received, then raw messages", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    const bye = encodeFrame({ type: "bye", reason: "x" });
    pair.a.send(encodeFrame({ type: "tick" }));
    pair.a.send(encodeFrame({ type: "cancel", id: 1 }));
    pair.a.send(bye);
    await flush();
    expect(await ch.recv(10)).toEqual({ kind: "frame", frame: { type: "tick" } });
    expect(ch.release()).toEqual({ frames: [{ type: "cancel", id: 1 }], messages: [bye] });
  });

  test("a batch right after the handshake is handed over as it arrived, for the link to decode", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    const batch = encodeBatch([encodeFrame({ type: "tick" }), encodeFrame({ type: "cancel", id: 3 })]);
    pair.a.send(encodeFrame({ type: "tick" }));
    pair.a.send(encodeFrame({ type: "tick" }));
    pair.a.send(batch);
    await flush();
    expect(ch.release()).toEqual({ frames: [{ type: "tick" }, { type: "tick" }], messages: [batch] });
  });

  test("a message over the handshake limit before the two handshake frames is malformed, without being decoded", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    pair.a.send(encodeFrame({ type: "bye", reason: "x".repeat(HANDSHAKE_MESSAGE_MAX) }));
    const r = await ch.recv(100);
    expect(r.kind).toBe("malformed");
    expect(r.kind === "malformed" && r.error.message).toContain(`over the limit of ${HANDSHAKE_MESSAGE_MAX}`);
  });

  test("after the two handshake frames, large messages are kept for the link", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    const big = encodeFrame({ type: "bye", reason: "x".repeat(HANDSHAKE_MESSAGE_MAX) });
    pair.a.send(encodeFrame({ type: "tick" }));
    pair.a.send(encodeFrame({ type: "tick" }));
    pair.a.send(big);
    await flush();
    expect(ch.release()).toEqual({ frames: [{ type: "tick" }, { type: "tick" }], messages: [big] });
  });

  test("says malformed, with the FrameError, for bytes that are not a frame", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    pair.a.send(new Uint8Array([0x01]));
    const r = await ch.recv(100);
    expect(r.kind).toBe("malformed");
    expect(r.kind === "malformed" && r.error.name).toBe("FrameError");
    expect(ch.release().down).toContain("malformed frame right after the handshake");
  });

  test("says closed, with the code and reason, when the connection closes", async () => {
    const pair = memoryPair();
    const ch = channelOf(pair.b);
    pair.a.close(1001, "going away");
    const r = await ch.recv(100);
    expect(r).toEqual({ kind: "closed", message: "connection closed (code 1001: going away)" });
  });

  test("says timeout when no frame comes in time, on the clock it was given", async () => {
    const clock = new FakeClock();
    const ch = channelOf(memoryPair().b, { clock });
    let got: unknown;
    ch.recv(50).then((r) => (got = r));
    await clock.advance(49);
    expect(got).toBeUndefined();
    await clock.advance(1);
    expect(got).toEqual({ kind: "timeout", timeoutMs: 50 });
  });

  test("allows one waiting recv at a time", async () => {
    const clock = new FakeClock();
    const ch = channelOf(memoryPair().b, { clock });
    void ch.recv(50);
    await expect(ch.recv(50)).rejects.toBeInstanceOf(TypeError);
  });
});
