import { afterEach, describe, expect, test } from "bun:test";
import { decodeFrames, encodeFrame } from "../../lib/distribution/frame_codec.ts";
import { Link } from "../../lib/distribution/link.ts";
import { type CallResult, exception, ok, undef } from "../../lib/result.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { flush, memoryPair } from "../support/memory_transport.ts";
import { closeLinks, framesFrom, fuga, handlerFor, hoge, recorder, setup, setupRaw, TICKTIME, track } from "../support/links.ts";

afterEach(closeLinks);

describe("link", () => {
  test("a call gets the peer's reply", async () => {
    const { a, recB } = setup();
    const r = await a.call("Person", "say_hello", ["hoge@localhost"]);
    expect(r).toEqual(ok(["Person", "say_hello", ["hoge@localhost"]]));
    expect(recB.calls[0].caller).toBe("hoge@localhost");
    expect(recB.calls[0].timeoutMs).toBe(5000);
    expect(a.pendingCount).toBe(0);
  });

  test("values CBOR can carry arrive unchanged", async () => {
    const { a } = setup((req) => Promise.resolve(ok(req.args)));
    const args = [1n << 80n, new Date(1700000000000), new Map([["k", 1]]), new Uint8Array([1, 2, 3]), undefined, null, { x: [true] }];
    expect(await a.call("rpc", "echo", args)).toEqual(ok(args));
  });

  test("exception and undef results travel unchanged", async () => {
    const thrown = exception("TypeError", "boom", "TypeError: boom\n    at f", { code: 7 });
    const { a } = setup((req) => Promise.resolve(req.function === "boom" ? thrown : undef(req.module, req.function)));
    expect(await a.call("M", "boom", [])).toEqual(thrown);
    expect(await a.call("M", "missing", [])).toEqual(undef("M", "missing"));
  });

  test("calls in flight are answered independently, whatever order the replies come in", async () => {
    const gates: Record<string, (r: CallResult) => void> = {};
    const { a } = setup((req) => new Promise((res) => (gates[req.args[0] as string] = res)));
    const first = a.call("M", "f", ["first"]);
    const second = a.call("M", "f", ["second"]);
    await flush();
    gates.second(ok(2));
    gates.first(ok(1));
    expect(await Promise.all([first, second])).toEqual([ok(1), ok(2)]);
  });

  test("a call that times out resolves timeout, sends cancel, and the callee's signal fires", async () => {
    let signal: AbortSignal | undefined;
    const { a, b, clock, pair } = setup((req) => {
      signal = req.signal;
      return new Promise(() => {});
    });
    let result: CallResult | undefined;
    a.call("Slow", "work", [], { timeoutMs: 300 }).then((r) => (result = r));
    await clock.advance(299);
    expect(result).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(result).toEqual({ kind: "timeout", node: "fuga@localhost", timeoutMs: 300 });
    expect(framesFrom(pair, "a")).toContainEqual({ type: "cancel", id: 1 });
    expect(signal?.aborted).toBe(true);
    expect(a.pendingCount).toBe(0);
    expect(a.isUp && b.isUp).toBe(true);
  });

  test("a cancelled call sends no reply even when the callee finishes later", async () => {
    let finish: (r: CallResult) => void = () => {};
    const { a, clock, pair } = setup(() => new Promise((res) => (finish = res)));
    a.call("Slow", "work", [], { timeoutMs: 100 });
    await clock.advance(100);
    finish(ok("too late"));
    await flush();
    expect(framesFrom(pair, "b").filter((f) => f.type === "reply")).toEqual([]);
  });

  test("a late reply is dropped silently", async () => {
    const { a, clock, send, rec } = setupRaw();
    const p = a.call("Slow", "work", [], { timeoutMs: 50 });
    await clock.advance(50);
    expect((await p).kind).toBe("timeout");
    send({ type: "reply", id: 1, result: ok("late") });
    send({ type: "reply", id: 12345, result: ok("unknown id") });
    await flush();
    expect(a.isUp).toBe(true);
    expect(rec.downs).toEqual([]);
  });

  test("a closed transport ends every pending call with noconnection at once and calls onDown once", async () => {
    const { a, pair, recA } = setup(() => new Promise(() => {}));
    const calls = [a.call("M", "f", [1]), a.call("M", "f", [2]), a.call("M", "f", [3], { timeoutMs: Infinity })];
    await flush();
    expect(a.pendingCount).toBe(3);
    pair.b.close(1006, "connection reset");
    const results = await Promise.all(calls);
    for (const r of results) {
      expect(r).toMatchObject({ kind: "noconnection", node: "fuga@localhost" });
      expect((r as { reason: string }).reason).toContain("connection reset");
    }
    expect(recA.downs.length).toBe(1);
    expect(a.isUp).toBe(false);
    expect(a.pendingCount).toBe(0);
    a.close("again");
    pair.a.close();
    await flush();
    expect(recA.downs.length).toBe(1);
  });

  test("a call on a link that is down resolves noconnection without sending", async () => {
    const { a, pair } = setup();
    a.close("done");
    const before = pair.log.length;
    expect(await a.call("M", "f", [])).toMatchObject({ kind: "noconnection", node: "fuga@localhost", reason: "done" });
    expect(a.cast("M", "f", [])).toMatchObject({ kind: "noconnection" });
    expect(pair.log.length).toBe(before);
  });

  test("going down aborts the signals of incoming calls still running", async () => {
    const signals: AbortSignal[] = [];
    const { a, b } = setup((req) => (signals.push(req.signal), new Promise(() => {})));
    a.call("M", "f", []);
    a.call("M", "g", []);
    await flush();
    expect(signals.length).toBe(2);
    b.close("stopping");
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  test("an idle link sends ticks and stays up as long as the peer ticks too", async () => {
    const { a, b, clock, pair } = setup();
    for (let i = 0; i < 20; i++) await clock.advance(TICKTIME / 2);
    expect(a.isUp && b.isUp).toBe(true);
    const ticks = framesFrom(pair, "a").filter((f) => f.type === "tick").length;
    expect(ticks).toBeGreaterThanOrEqual(35);
  });

  test("a busy link sends no ticks", async () => {
    const { a, clock, pair } = setup();
    for (let i = 0; i < 8; i++) {
      a.cast("M", "f", [i]);
      await clock.advance(TICKTIME / 8);
      a.cast("M", "f", [i]);
      await clock.advance(TICKTIME / 8);
    }
    expect(framesFrom(pair, "a").filter((f) => f.type === "tick")).toEqual([]);
  });

  test("a silent peer is declared down after ticktime, and its pending calls end with noconnection", async () => {
    const { a, clock, rec, received } = setupRaw();
    const pending = a.call("M", "f", [], { timeoutMs: Infinity });
    await clock.advance(TICKTIME - 1);
    expect(a.isUp).toBe(true);
    await clock.advance(TICKTIME / 4 + 1);
    expect(a.isUp).toBe(false);
    expect(rec.downs).toEqual([`tick timeout: no sign of life from fuga@localhost for ${TICKTIME} ms`]);
    expect(await pending).toMatchObject({ kind: "noconnection", reason: rec.downs[0] });
    expect(received.some((f) => f.type === "tick")).toBe(true);
  });

  test("any frame from the peer counts as life", async () => {
    const { a, clock, send } = setupRaw();
    for (let i = 0; i < 12; i++) {
      send({ type: "cast", module: "M", function: "f", args: [] });
      await clock.advance(TICKTIME / 3);
    }
    expect(a.isUp).toBe(true);
  });

  test("close says bye: the peer goes down with the reason and both sides run onDown once", async () => {
    const { a, b, pair, recA, recB } = setup();
    a.close("shutdown");
    await flush();
    expect(framesFrom(pair, "a").at(-1)).toEqual({ type: "bye", reason: "shutdown" });
    expect(recA.downs).toEqual(["shutdown"]);
    expect(recB.downs).toEqual(["hoge@localhost said bye: shutdown"]);
    expect(b.isUp).toBe(false);
    expect(pair.a.closed && pair.b.closed).toBe(true);
  });

  test("arguments that cannot be encoded give badarg and send nothing", async () => {
    const { a, pair } = setup();
    await flush();
    const before = pair.log.length;
    const r = await a.call("M", "f", [(() => 1) as never]);
    expect(r.kind).toBe("badarg");
    expect((r as { message: string }).message).toContain("M.f");
    expect(a.cast("M", "f", [Symbol("s") as never]).kind).toBe("badarg");
    expect(pair.log.length).toBe(before);
    expect(a.pendingCount).toBe(0);
    expect(a.isUp).toBe(true);
  });

  test("a return value that cannot be encoded comes back as an EncodeError exception", async () => {
    const { a, b } = setup(() => Promise.resolve(ok({ f: () => 1 } as never)));
    const r = await a.call("Bad", "fn", []);
    expect(r).toMatchObject({ kind: "exception", name: "EncodeError" });
    expect((r as { message: string }).message).toContain("Bad.fn returned a value that cannot cross the wire");
    expect(a.isUp && b.isUp).toBe(true);
  });

  test("a handler that rejects is answered as an exception, not a dead link", async () => {
    const { a } = setup(() => Promise.reject(new RangeError("bad range")));
    expect(await a.call("M", "f", [])).toMatchObject({ kind: "exception", name: "RangeError", message: "bad range" });
  });

  test("a cast reaches the peer's handler with the caller's name", async () => {
    const { a, recB } = setup();
    expect(a.cast("Log", "info", ["hi"])).toEqual(ok(true));
    await flush();
    expect(recB.casts).toEqual([{ caller: "hoge@localhost", module: "Log", function: "info", args: ["hi"] }]);
  });

  test("peers reach the peer's handler", async () => {
    const { a, recB } = setup();
    expect(a.sendPeers([{ name: "piyo@localhost", port: 4713 }])).toBe(true);
    await flush();
    expect(recB.peers).toEqual([[{ name: "piyo@localhost", port: 4713 }]]);
  });

  test("a malformed frame closes the link with a reason that says so, without throwing", async () => {
    const { a, pair, rec } = setupRaw();
    const pending = a.call("M", "f", []);
    pair.b.send(new Uint8Array([0x9f, 0xff, 0x00]));
    await flush();
    expect(a.isUp).toBe(false);
    expect(rec.downs.length).toBe(1);
    expect(rec.downs[0]).toContain("protocol error");
    expect(await pending).toMatchObject({ kind: "noconnection" });
    expect(pair.a.closedWith?.code).toBe(1002);
  });

  test("a handshake frame after the handshake closes the link as a protocol error", async () => {
    const { a, rec, send } = setupRaw();
    send({ type: "hello", version: 1, name: "x@h", to: "y@h", port: 1, hidden: false, creation: "c" });
    await flush();
    expect(a.isUp).toBe(false);
    expect(rec.downs[0]).toContain("protocol error");
  });

  test("frames handed over from the handshake are processed before later ones", async () => {
    const pair = memoryPair();
    const rec = recorder();
    const a = new Link(pair.a, {
      self: hoge,
      peer: fuga,
      ticktimeMs: TICKTIME,
      clock: new FakeClock(),
      handler: handlerFor(rec),
      onDown: (r) => void rec.downs.push(r),
      handoff: { frames: [{ type: "cast", module: "M", function: "first", args: [] }], messages: [] },
    });
    track(a);
    pair.b.send(encodeFrame({ type: "cast", module: "M", function: "second", args: [] }));
    await flush();
    expect(rec.casts.map((c) => c.function)).toEqual(["first", "second"]);
  });

  test("a ticktime that is not a positive number is a RangeError", () => {
    const pair = memoryPair();
    const options = { self: hoge, peer: fuga, ticktimeMs: 0, handler: handlerFor(recorder()), onDown: () => {} };
    expect(() => new Link(pair.a, options)).toThrow(RangeError);
  });
});

describe("sending in bursts", () => {
  test("calls made together go out as one message, and every one is answered", async () => {
    const { pair, a } = setup();
    const before = pair.log.filter((m) => m.from === "a").length;
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => a.call("M", "f", [i])));
    expect(results).toEqual([1, 2, 3, 4, 5].map((i) => ok(["M", "f", [i]])));
    const sent = pair.log.filter((m) => m.from === "a").slice(before);
    expect(sent).toHaveLength(1);
    expect(decodeFrames(sent[0].bytes).map((f) => f.type)).toEqual(["call", "call", "call", "call", "call"]);
    expect(pair.log.filter((m) => m.from === "b").length).toBeLessThan(5);
  });

  test("frames queued before a close go out before the bye", async () => {
    const { pair, b } = setup();
    const pending = b.call("M", "f", ["queued"]);
    b.close("shutdown");
    expect((await pending).kind).toBe("noconnection");
    const types = pair.log.filter((m) => m.from === "b").flatMap((m) => decodeFrames(m.bytes).map((f) => f.type));
    expect(types).toEqual(["call", "bye"]);
  });

});
