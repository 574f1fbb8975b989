import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../lib/core/log.ts";
import { Strangers } from "../../lib/distribution/strangers.ts";

describe("the names set-ups in their handshake claim", () => {
  test("are waited for until the last set-up claiming the name ends", async () => {
    const strangers = new Strangers({ maxTotal: 4, maxPerSource: 2 }, silentLogger);
    let ended = false;
    await strangers.unclaimed("a@h");
    const first = strangers.claim("a@h");
    const second = strangers.claim("a@h");
    strangers.unclaimed("a@h").then(() => (ended = true));
    first();
    first();
    await Promise.resolve();
    expect(ended).toBe(false);
    second();
    await Promise.resolve();
    expect(ended).toBe(true);
    // Another name was never claimed: nothing to wait for.
    await strangers.unclaimed("b@h");
  });
});
