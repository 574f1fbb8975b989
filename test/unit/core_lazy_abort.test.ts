import { describe, expect, test } from "bun:test";
import { LazyAbort } from "../../lib/core/lazy_abort.ts";

describe("LazyAbort: a signal made when first asked for", () => {
  test("aborted before it is asked for, the signal is born aborted with the reason", () => {
    const a = new LazyAbort();
    a.abort("why");
    a.abort("later");
    expect(a.aborted).toBe(true);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe("why");
  });

  test("asked for first, the signal fires when abort runs", () => {
    const a = new LazyAbort();
    const seen: unknown[] = [];
    a.signal.addEventListener("abort", () => seen.push(a.signal.reason));
    expect(a.signal.aborted).toBe(false);
    a.abort("now");
    expect(seen).toEqual(["now"]);
  });

  test("it follows the other signal only once asked for, and dispose leaves no listener on it", () => {
    const outer = new AbortController();
    let looked = 0;
    const a = new LazyAbort({
      get signal() {
        looked++;
        return outer.signal;
      },
    });
    expect(looked).toBe(0);
    const s = a.signal;
    expect(looked).toBe(1);
    outer.abort("cancelled");
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe("cancelled");

    const later = new AbortController();
    const b = new LazyAbort(later);
    const sb = b.signal;
    b.dispose();
    later.abort("too late");
    expect(sb.aborted).toBe(false);
  });

  test("a followed signal that aborted already gives an aborted signal", () => {
    const outer = new AbortController();
    outer.abort("gone");
    const a = new LazyAbort(outer);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe("gone");
  });
});
