import { describe, expect, test } from "bun:test";
import { closeReason, isUpgrade, MAX_CLOSE_REASON_BYTES } from "../../lib/core/websocket.ts";

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe("closeReason", () => {
  test("keeps a reason that fits", () => {
    expect(closeReason("bye")).toBe("bye");
    const fits = "x".repeat(MAX_CLOSE_REASON_BYTES);
    expect(closeReason(fits)).toBe(fits);
  });

  test("cuts a long reason to 123 bytes and says it was cut", () => {
    const cut = closeReason("y".repeat(500));
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(cut.endsWith("...")).toBe(true);
  });

  test("never splits a character, whatever its width", () => {
    for (const ch of ["é", "日", "🙂"]) {
      for (let pad = 0; pad < 4; pad++) {
        const cut = closeReason("a".repeat(pad) + ch.repeat(100));
        expect(bytes(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
        expect(cut).not.toContain("\uFFFD");
        expect(cut.slice(pad, -3)).toBe(ch.repeat([...cut.slice(pad, -3)].length));
      }
    }
  });
});

describe("isUpgrade", () => {
  test("is true for Upgrade: websocket in any case, false otherwise", () => {
    expect(isUpgrade(new Request("http://x/", { headers: { upgrade: "WebSocket" } }))).toBe(true);
    expect(isUpgrade(new Request("http://x/", { headers: { upgrade: "h2c" } }))).toBe(false);
    expect(isUpgrade(new Request("http://x/"))).toBe(false);
  });
});
