import { describe, expect, test } from "bun:test";
import { Joiner, sendFragmented, WIRE_MESSAGE_MAX } from "../../lib/distribution/fragments.ts";

/** The wire messages `sendFragmented` sends for `message`, each a copy (it reuses one buffer). */
function fragment(message: Uint8Array | Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  sendFragmented(message, (f) => out.push(f.slice()));
  return out;
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 255);

describe("fragments", () => {
  test("a message that fits goes as itself", () => {
    const m = bytes(1000);
    expect(fragment(m)).toEqual([m]);
  });

  test("a large message goes as fragments no larger than the wire limit, and joins back to the same bytes", () => {
    const m = bytes(3 * WIRE_MESSAGE_MAX + 17);
    const parts = fragment(m);
    expect(parts).toHaveLength(4);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(WIRE_MESSAGE_MAX);
    // Equal parts, so that no small last one waits for the others' ACK (Nagle).
    expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThan(parts.length);
    const joiner = new Joiner(8 * 1024 * 1024);
    const got = parts.map((p) => joiner.push(p));
    expect(got.slice(0, 3).map((g) => g.kind)).toEqual(["partial", "partial", "partial"]);
    expect(got[3]).toEqual({ kind: "message", data: m });
  });

  test("a message given as parts of any sizes is cut the same way, and joins back to their bytes in order", () => {
    const m = bytes(2 * WIRE_MESSAGE_MAX + 1234);
    const cuts = [0, 3, 3, 70_000, 70_001, WIRE_MESSAGE_MAX + 9, m.length];
    const parts = cuts.slice(1).map((end, i) => m.subarray(cuts[i], end));
    const fromParts = fragment(parts);
    expect(fromParts).toEqual(fragment(m));
    const joiner = new Joiner(8 * 1024 * 1024);
    expect(fromParts.map((p) => joiner.push(p)).at(-1)).toEqual({ kind: "message", data: m });
  });

  test("parts that fit in one message go as one message", () => {
    const m = bytes(1000);
    expect(fragment([m.subarray(0, 10), m.subarray(10)])).toEqual([m]);
  });

  test("a message over the wire limit, fragments over the total limit, or a message inside a fragmented one are errors", () => {
    expect(new Joiner(1 << 30).push(bytes(WIRE_MESSAGE_MAX + 1)).kind).toBe("error");
    const parts = fragment(bytes(2 * WIRE_MESSAGE_MAX));
    const small = new Joiner(WIRE_MESSAGE_MAX);
    expect(small.push(parts[0]).kind).toBe("partial");
    expect(small.push(parts[1])).toEqual({ kind: "error", message: `a fragmented message over the limit of ${WIRE_MESSAGE_MAX} bytes` });
    const interrupted = new Joiner(1 << 30);
    interrupted.push(parts[0]);
    expect(interrupted.push(bytes(10)).kind).toBe("error");
  });

  test("a fragment whose length does not match its bytes is an error", () => {
    const part = fragment(bytes(WIRE_MESSAGE_MAX + 10))[0];
    expect(new Joiner(1 << 30).push(part.subarray(0, part.length - 1))).toEqual({ kind: "error", message: "a malformed fragment frame" });
  });
});
