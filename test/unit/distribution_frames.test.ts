import { describe, expect, test } from "bun:test";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { encodeBatch } from "../../lib/distribution/batch.ts";
import { decodeFrames, encodeFrame } from "../../lib/distribution/frame_codec.ts";
import { type Frame, FrameError, TAGS } from "../../lib/distribution/frames.ts";
import { badarg, exception, noconnection, ok, timeout, unauthorized, undef } from "../../lib/result.ts";

const nonce = new Uint8Array(32).fill(7);
const digest = new Uint8Array(32).fill(9);

const samples: Frame[] = [
  { type: "hello", version: 1, name: "hoge@localhost", to: "fuga@localhost", port: 4711, hidden: false, creation: "c1" },
  { type: "challenge", name: "fuga@localhost", creation: "c2", nonce },
  { type: "answer", nonce, digest },
  { type: "ack", digest, hidden: true, port: 0 },
  { type: "refuse", reason: "cookie", message: "wrong cookie" },
  { type: "call", id: 1, module: "Person", function: "say_hello", args: ["hoge@localhost"], timeoutMs: 5000 },
  { type: "call", id: 2, module: "rpc", function: "echo", args: [], timeoutMs: Infinity },
  {
    type: "call",
    id: 3,
    module: "rpc",
    function: "echo",
    args: [1n << 70n, new Date(1700000000000), new Map([[1, "one"]]), new Uint8Array([1, 2]), undefined, null, { a: [1.5] }],
    timeoutMs: 0,
  },
  { type: "reply", id: 1, result: ok("Hello, Hoge!") },
  { type: "reply", id: 2, result: ok(undefined) },
  { type: "reply", id: 3, result: exception("TypeError", "boom", "at x", { code: 42 }) },
  { type: "reply", id: 4, result: exception("Error", "no stack") },
  { type: "reply", id: 5, result: exception("Error", "null data", undefined, null) },
  { type: "reply", id: 6, result: undef("Person", "nope") },
  { type: "reply", id: 7, result: noconnection("x@h") },
  { type: "reply", id: 8, result: noconnection("x@h", "tick timeout") },
  { type: "reply", id: 9, result: timeout("x@h", 250) },
  { type: "reply", id: 10, result: badarg("args must be a list") },
  { type: "reply", id: 11, result: unauthorized() },
  { type: "cast", module: "Log", function: "info", args: ["hi", 3] },
  { type: "cancel", id: 99 },
  { type: "tick" },
  { type: "peers", nodes: [{ name: "a@h", port: 1 }, { name: "b@h", port: 65535 }] },
  { type: "peers", nodes: [] },
  { type: "bye", reason: "shutdown" },
];

describe("frames", () => {
  for (const f of samples) {
    const label = f.type === "reply" ? `reply(${f.result.kind})` : f.type;
    const article = /^[aeiou]/.test(label) ? "an" : "a";
    test(`${article} ${label} frame decodes to exactly what was encoded`, () => {
      expect(decodeFrames(encodeFrame(f))).toEqual([f]);
    });
  }

  test("every tag is a distinct small integer, one CBOR byte but for the fragment's", () => {
    const tags = Object.values(TAGS);
    expect(new Set(tags).size).toBe(tags.length);
    // A fragment's head is 9 bytes on a 256 KiB chunk: its tag's second byte does not matter.
    for (const t of tags.filter((t) => t !== TAGS.fragment)) expect(t).toBeLessThan(24);
  });

  test("frames are compact arrays, not maps with field names", () => {
    expect(encodeFrame({ type: "tick" }).length).toBeLessThanOrEqual(2);
    expect(encodeFrame({ type: "cancel", id: 5 }).length).toBeLessThanOrEqual(3);
    const reply = encodeFrame({ type: "reply", id: 1, result: ok(1) });
    expect(reply.length).toBeLessThanOrEqual(6);
    expect(new TextDecoder().decode(reply)).not.toContain("kind");
  });

  test("encoding a call whose arguments hold a function throws the codec's error", () => {
    const f = { type: "call", id: 1, module: "m", function: "f", args: [() => 1], timeoutMs: 1 } as unknown as Frame;
    expect(() => encodeFrame(f)).toThrow(expect.objectContaining({ name: "CodecError" }));
  });

  const malformed: [string, unknown][] = [
    ["a non-array value", { type: "tick" }],
    ["an empty array", []],
    ["an unknown tag", [99]],
    ["a tag that is a string", ["tick"]],
    ["a tick with an extra element", [TAGS.tick, 1]],
    ["a hello missing its creation", [TAGS.hello, 1, "a@h", "b@h", 1, false]],
    ["a hello with a string port", [TAGS.hello, 1, "a@h", "b@h", "4711", false, "c"]],
    ["a hello with a port above 65535", [TAGS.hello, 1, "a@h", "b@h", 70000, false, "c"]],
    ["a hello whose hidden flag is a number", [TAGS.hello, 1, "a@h", "b@h", 1, 0, "c"]],
    ["a challenge whose nonce is a string", [TAGS.challenge, "b@h", "c", "nonce"]],
    ["an answer whose digest is an array", [TAGS.answer, nonce, [1, 2, 3]]],
    ["a refuse with an unknown reason", [TAGS.refuse, "because", "no"]],
    ["a call with a negative id", [TAGS.call, -1, "m", "f", [], 10]],
    ["a call with a fractional id", [TAGS.call, 1.5, "m", "f", [], 10]],
    ["a call whose args are not an array", [TAGS.call, 1, "m", "f", "x", 10]],
    ["a call with a negative timeout", [TAGS.call, 1, "m", "f", [], -5]],
    ["a reply with no result", [TAGS.reply, 1]],
    ["a reply whose result is a map", [TAGS.reply, 1, { kind: "ok", value: 1 }]],
    ["a reply with an unknown result kind", [TAGS.reply, 1, [42, "x"]]],
    ["a reply with an ok result without a value", [TAGS.reply, 1, [0]]],
    ["a reply with an exception lacking a message", [TAGS.reply, 1, [1, "Error"]]],
    ["a reply with an exception whose stack is a number", [TAGS.reply, 1, [1, "Error", "m", 5]]],
    ["a reply with an undef whose module is a number", [TAGS.reply, 1, [2, 5, "f"]]],
    ["a reply with a timeout lacking its duration", [TAGS.reply, 1, [4, "x@h"]]],
    ["a cancel with a string id", [TAGS.cancel, "1"]],
    ["peers that are not pairs", [TAGS.peers, [["a@h"]]]],
    ["peers with a string port", [TAGS.peers, [["a@h", "1"]]]],
    ["a bye without a reason", [TAGS.bye]],
  ];
  for (const [what, value] of malformed) {
    test(`${what} is rejected with a FrameError`, () => {
      expect(() => decodeFrames(encode(value))).toThrow(FrameError);
    });
  }

  test("bytes that are not CBOR are rejected with a FrameError that keeps the codec's error as cause", () => {
    let caught: unknown;
    try {
      decodeFrames(new Uint8Array([0xff, 0xff, 0x00, 0x1c]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FrameError);
    expect((caught as Error).name).toBe("FrameError");
    expect((caught as Error).cause).toBeDefined();
  });

  test("a frame over the size limit is rejected with a FrameError", () => {
    const big = encodeFrame({ type: "cast", module: "m", function: "f", args: ["x".repeat(10_000)] });
    expect(() => decodeFrames(big, { maxBytes: 1000, maxDepth: 16 })).toThrow(FrameError);
  });

  test("a FrameError message names the frame and the field at fault", () => {
    expect(() => decodeFrames(encode([TAGS.hello, 1, "a@h", "b@h", "4711", false, "c"]))).toThrow(/hello.*port/);
    expect(() => decodeFrames(encode([77]))).toThrow(/tag 77/);
  });
});

describe("batches", () => {
  const call = (id: number): Frame => ({ type: "call", id, module: "rpc", function: "echo", args: [id], timeoutMs: 5000 });

  test("carry several link frames in one message, in order", () => {
    const frames: Frame[] = [call(1), { type: "tick" }, { type: "reply", id: 9, result: ok("x") }, call(2)];
    expect(decodeFrames(encodeBatch(frames.map(encodeFrame)))).toEqual(frames);
  });

  test("of one frame, and plain messages, decode as that one frame", () => {
    expect(decodeFrames(encodeBatch([encodeFrame(call(1))]))).toEqual([call(1)]);
    expect(decodeFrames(encodeFrame(call(3)))).toEqual([call(3)]);
  });

  test("of many frames use the longer CBOR array heads correctly", () => {
    const many = Array.from({ length: 300 }, (_, i) => call(i));
    expect(decodeFrames(encodeBatch(many.map(encodeFrame)))).toEqual(many);
  });

  test("may hold neither another batch nor a handshake frame", () => {
    const nested = encodeBatch([encodeBatch([encodeFrame(call(1))])]);
    expect(() => decodeFrames(nested)).toThrow(FrameError);
    const hello = encodeFrame({ type: "hello", version: 1, name: "a@h", to: "b@h", port: 1, hidden: false, creation: "c" });
    expect(() => decodeFrames(encodeBatch([hello]))).toThrow("link frames only");
  });
});
