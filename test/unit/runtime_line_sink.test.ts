import { describe, expect, test } from "bun:test";
import { LineSink } from "../../lib/runtime/line_sink.ts";

const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));

describe("LineSink", () => {
  test("writes lines in order, resuming partial writes", async () => {
    const out: Uint8Array[] = [];
    const sink = new LineSink((d) => {
      const n = Math.min(3, d.length);
      out.push(d.slice(0, n));
      return Promise.resolve(n);
    });
    sink.line("hello");
    sink.line("world");
    await sink.flush(1000);
    expect(text(out)).toBe("hello\nworld\n");
  });

  test("never waits for a write that does not return, and drops lines beyond its bound", async () => {
    const sink = new LineSink(() => new Promise<number>(() => {}), 20);
    sink.line("0123456789");
    expect(() => sink.line("0123456789")).toThrow(RangeError);
    const started = Date.now();
    await sink.flush(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("goes on after a write fails (EPIPE, disk full)", async () => {
    const out: string[] = [];
    let fail = true;
    const sink = new LineSink((d) => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("EPIPE"));
      }
      out.push(new TextDecoder().decode(d));
      return Promise.resolve(d.length);
    });
    sink.line("lost");
    sink.line("kept");
    await sink.flush(1000);
    expect(out).toEqual(["kept\n"]);
  });
});
