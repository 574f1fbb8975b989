import { describe, expect, test } from "bun:test";
import { Admission } from "../../lib/core/admission.ts";

describe("Admission", () => {
  test("one source holds at most maxPerSource places; others still get in", () => {
    const a = new Admission({ maxTotal: 10, maxPerSource: 2 });
    expect(typeof a.enter("1.1.1.1")).toBe("function");
    expect(typeof a.enter("1.1.1.1")).toBe("function");
    expect(a.enter("1.1.1.1")).toEqual({ limit: "per_source", max: 2 });
    expect(typeof a.enter("2.2.2.2")).toBe("function");
  });

  test("the total is bounded, and a released place can be taken again, once", () => {
    const a = new Admission({ maxTotal: 2, maxPerSource: 2 });
    const release = a.enter("x") as () => void;
    a.enter("y");
    expect(a.enter("z")).toEqual({ limit: "total", max: 2 });
    release();
    release();
    expect(a.pending).toBe(1);
    expect(typeof a.enter("z")).toBe("function");
    expect(a.enter("w")).toEqual({ limit: "total", max: 2 });
  });

  test("without the per-source limit (the host's own address) only the total applies", () => {
    const a = new Admission({ maxTotal: 3, maxPerSource: 1 });
    expect(typeof a.enter("127.0.0.1", { perSource: false })).toBe("function");
    expect(typeof a.enter("127.0.0.1", { perSource: false })).toBe("function");
    expect(a.enter("127.0.0.1")).toEqual({ limit: "per_source", max: 1 });
    expect(typeof a.enter("127.0.0.1", { perSource: false })).toBe("function");
    expect(a.enter("127.0.0.1", { perSource: false })).toEqual({ limit: "total", max: 3 });
  });
});
