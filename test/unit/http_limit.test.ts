/**
 * The HTTP edge's cap on requests at once and its hook for long calls
 * (issue 7, item 8), through `app.request()` with a fake node behind it.
 */
import { describe, expect, test } from "bun:test";
import type { Fields, Logger } from "../../lib/core/log.ts";
import { createHttpApp } from "../../lib/http/app.ts";
import type { CallResult } from "../../lib/result.ts";

const COOKIE = "secret-cookie";

function recordingLogger() {
  const lines: { event: string; fields?: Fields }[] = [];
  const log: Logger = {
    info: (event, fields) => lines.push({ event, fields }),
    warn: (event, fields) => lines.push({ event, fields }),
    error: (event, fields) => lines.push({ event, fields }),
  };
  return { log, lines };
}

/** An app whose calls wait until `release()`. */
function setup(maxRequests: number) {
  const { log, lines } = recordingLogger();
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const app = createHttpApp({
    cookie: COOKIE,
    limits: { maxBytes: 1024, maxDepth: 8 },
    call: async (): Promise<CallResult> => {
      await gate;
      return { kind: "ok", value: 1 };
    },
    health: () => ({ status: "ok" }),
    metrics: () => "",
    maxRequests,
    log,
  });
  return { app, lines, release };
}

function call(app: ReturnType<typeof setup>["app"], body: unknown = { module: "m", function: "f" }, info?: object) {
  return app.request("/rpc", {
    method: "POST",
    headers: { authorization: `Bearer ${COOKIE}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }, info);
}

describe("the HTTP edge serves a bounded number of requests at once", () => {
  test("a request over the cap is answered 503 with Retry-After, and one http_limit line is logged", async () => {
    const { app, lines, release } = setup(3);
    const held = [call(app), call(app), call(app)];
    await Bun.sleep(5);
    const refused = await Promise.all([call(app), app.request("/health"), call(app)]);
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.text()).toContain("Too many requests at once (over 3)");
    }
    const limitLines = lines.filter((l) => l.event === "http_limit");
    expect(limitLines).toEqual([{ event: "http_limit", fields: { max: 3, suppressed: 0 } }]);
    release();
    for (const res of await Promise.all(held)) expect(res.status).toBe(200);
    // Slots are given back
    expect((await call(app)).status).toBe(200);
    expect((await app.request("/health")).status).toBe(200);
  });

  test("a bad cap is a RangeError", () => {
    expect(() => setup(0)).toThrow(RangeError);
    expect(() => setup(1.5)).toThrow(RangeError);
  });
});

describe("a call asks the server to let it outlast the idle timeout", () => {
  test("expectLong gets the call's timeout in seconds plus a margin, after authentication only", async () => {
    const { app, release } = setup(10);
    release();
    const asked: number[] = [];
    const info = {
      remoteAddress: "127.0.0.1",
      expectLong: (s: number) => {
        asked.push(s);
        return undefined;
      },
    };
    expect((await call(app, { module: "m", function: "f", timeout: 45_000 }, info)).status).toBe(200);
    expect(asked).toEqual([50]);
    await call(app, { module: "m", function: "f" }, info);
    expect(asked[1]).toBe(10); // the default timeout of 5 s, plus 5
    const unauthorized = await app.request("/rpc", { method: "POST", body: "{}" }, info);
    expect(unauthorized.status).toBe(401);
    expect(asked).toHaveLength(2);
  });

  test("the timeout is set back once the answer is ready, also when the call throws", async () => {
    const steps: string[] = [];
    const info = {
      remoteAddress: "127.0.0.1",
      expectLong: () => {
        steps.push("extend");
        return () => steps.push("restore");
      },
    };
    let fail = false;
    const app = createHttpApp({
      cookie: COOKIE,
      limits: { maxBytes: 1024, maxDepth: 8 },
      call: async (): Promise<CallResult> => {
        await Promise.resolve();
        steps.push("call");
        if (fail) throw new Error("boom");
        return { kind: "ok", value: 1 };
      },
      health: () => ({ status: "ok" }),
      metrics: () => "",
    });
    expect((await call(app, { module: "m", function: "f" }, info)).status).toBe(200);
    expect(steps).toEqual(["extend", "call", "restore"]);
    fail = true;
    expect((await call(app, { module: "m", function: "f" }, info)).status).toBe(500);
    expect(steps).toEqual(["extend", "call", "restore", "extend", "call", "restore"]);
  });
});
