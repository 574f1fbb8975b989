import { describe, expect, test } from "bun:test";
import { BATCH_OVERHEAD, packMessages } from "../../lib/distribution/batch.ts";
import { decodeFrames, encodeFrame } from "../../lib/distribution/frame_codec.ts";

// Frames of these sizes are single arrays: packMessages hands them back as such.
const single = (m: Uint8Array | Uint8Array[]) => m as Uint8Array;
const cast = (n: number) => encodeFrame({ type: "cast", module: "m", function: "f", args: ["x".repeat(n)] });

describe("packMessages", () => {
  test("frames of one burst share one message when they fit", () => {
    const frames = [cast(10), cast(20), cast(30)];
    const messages = packMessages(frames, 1024);
    expect(messages).toHaveLength(1);
    expect(decodeFrames(single(messages[0])).map((f) => f.type)).toEqual(["cast", "cast", "cast"]);
  });

  test("no message is over the limit, the order is kept, and nothing is lost", () => {
    const frames = Array.from({ length: 1000 }, (_, i) => cast(50 + (i % 97)));
    const limit = 4096;
    const messages = packMessages(frames, limit);
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(limit);
    const lengths = messages.flatMap((m) => decodeFrames(single(m))).map((f) => (f as { args: string[] }).args[0].length);
    expect(lengths).toEqual(frames.map((_, i) => 50 + (i % 97)));
  });

  test("a frame that fills a message alone goes unwrapped", () => {
    const big = cast(1000);
    const messages = packMessages([cast(1), big, cast(1)], big.length + BATCH_OVERHEAD);
    expect(messages).toHaveLength(3);
    expect(messages[1]).toBe(big);
  });

  test("a frame in parts (too big for one message) closes the batch and goes alone, as it is", () => {
    const parts = [cast(5), cast(5)];
    const messages = packMessages([cast(1), cast(2), parts, cast(3)], 1024);
    expect(messages).toHaveLength(3);
    expect(messages[1]).toBe(parts);
    expect(decodeFrames(single(messages[0]))).toHaveLength(2);
  });

  test("a single frame is sent as itself", () => {
    const one = cast(5);
    expect(packMessages([one], 1024)).toEqual([one]);
  });
});
