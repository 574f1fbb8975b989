/**
 * The HTTP edge through `app.request()`: authentication, body limits,
 * content negotiation and the SPEC §4 status of every result kind, with a
 * fake node behind it. No daemon, no socket.
 */
import { describe, expect, test } from "bun:test";
import { decode as cborDecode, encode as cborEncode } from "cborg";
import { createHttpApp } from "../../lib/http/app.ts";
import type { CallRequest } from "../../lib/rpc/request.ts";
import type { CallResult } from "../../lib/result.ts";

const COOKIE = "secret-cookie";
const AUTH = { authorization: `Bearer ${COOKIE}` };
const JSON_TYPE = { "content-type": "application/json" };
const CBOR_TYPE = { "content-type": "application/cbor" };

/** An app whose node answers every call with `answer(req)` and records the requests. */
function setup(answer: (req: CallRequest) => CallResult = (req) => ({ kind: "ok", value: req.args })) {
  const calls: CallRequest[] = [];
  const app = createHttpApp({
    cookie: COOKIE,
    limits: { maxBytes: 1024, maxDepth: 8 },
    call: (req) => {
      calls.push(req);
      return Promise.resolve(answer(req));
    },
    health: () => ({ status: "ok", node: "hoge@localhost" }),
    metrics: () => 'meshrpc_connected_nodes{node="hoge@localhost"} 0\n',
  });
  return { app, calls };
}

function postJson(app: ReturnType<typeof setup>["app"], body: unknown, headers: Record<string, string> = {}) {
  return app.request("/rpc", {
    method: "POST",
    headers: { ...AUTH, ...JSON_TYPE, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const HELLO = { module: "Person", function: "say_hello", args: ["fuga@localhost"] };

describe("POST /rpc authentication", () => {
  test("answers 401 with a Bearer challenge when there is no Authorization header", async () => {
    const { app, calls } = setup();
    const res = await app.request("/rpc", { method: "POST", headers: JSON_TYPE, body: JSON.stringify(HELLO) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="meshrpc"');
    expect(await res.json()).toEqual({ error: { kind: "unauthorized" } });
    expect(calls).toEqual([]);
  });

  test("answers 401 for a wrong cookie, a cookie with a suffix and a non-Bearer scheme", async () => {
    const { app, calls } = setup();
    for (const authorization of [`Bearer wrong`, `Bearer ${COOKIE}x`, `Basic ${COOKIE}`, `Bearer`]) {
      const res = await postJson(app, HELLO, { authorization });
      expect(res.status).toBe(401);
    }
    expect(calls).toEqual([]);
  });

  test("accepts the cookie with a lower-case scheme", async () => {
    const { app } = setup();
    const res = await postJson(app, HELLO, { authorization: `bearer ${COOKIE}` });
    expect(res.status).toBe(200);
  });
});

describe("POST /rpc bodies", () => {
  test("hands the node the parsed request, with timeout in milliseconds", async () => {
    const { app, calls } = setup();
    const res = await postJson(app, { ...HELLO, node: "fuga@localhost", timeout: 250 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: ["fuga@localhost"] });
    expect(calls).toEqual([{ ...HELLO, node: "fuga@localhost", timeoutMs: 250 }]);
  });

  test("answers 400 badarg for a body that is not JSON, with the decoder's reason", async () => {
    const { app, calls } = setup();
    const res = await postJson(app, "{not json");
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.kind).toBe("badarg");
    expect(body.error.message).toStartWith("Cannot decode the json body");
    expect(calls).toEqual([]);
  });

  test("answers 400 badarg for a content type other than JSON and CBOR", async () => {
    const { app } = setup();
    const res = await postJson(app, HELLO, { "content-type": "text/plain" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("application/json or application/cbor");
  });

  test("answers 400 badarg for a missing module, an unknown field and a bad node name", async () => {
    const { app, calls } = setup();
    const cases: [unknown, string][] = [
      [{ function: "f", args: [] }, '"module" must be a non-empty string'],
      [{ ...HELLO, extra: 1 }, 'Unknown field "extra"'],
      [{ ...HELLO, node: "no-at-sign" }, ""],
      [{ ...HELLO, timeout: -1 }, "timeout must be a whole number"],
    ];
    for (const [body, message] of cases) {
      const res = await postJson(app, body);
      expect(res.status).toBe(400);
      const { error } = await res.json();
      expect(error.kind).toBe("badarg");
      expect(error.message).toContain(message);
    }
    expect(calls).toEqual([]);
  });

  test("answers 413 for a body over the size limit, whether or not it says its length", async () => {
    const { app, calls } = setup();
    const big = JSON.stringify({ ...HELLO, args: ["x".repeat(2000)] });
    const declared = await postJson(app, big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.message).toContain("larger than 1024 bytes");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const streamed = await app.request("/rpc", {
      method: "POST",
      headers: { ...AUTH, ...JSON_TYPE },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(calls).toEqual([]);
  });

  test("reads a body without a declared length (chunked) up to the limit", async () => {
    const { app, calls } = setup();
    const encoded = new TextEncoder().encode(JSON.stringify(HELLO));
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(encoded.subarray(0, 10));
        c.enqueue(encoded.subarray(10));
        c.close();
      },
    });
    const res = await app.request("/rpc", {
      method: "POST",
      headers: { ...AUTH, ...JSON_TYPE },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(calls).toEqual([HELLO]);
  });

  test("answers 400 for a body nested deeper than the limit", async () => {
    const { app } = setup();
    const res = await postJson(app, { ...HELLO, args: [[[[[[[[[[1]]]]]]]]]] });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("nested deeper");
  });
});

describe("POST /rpc content negotiation", () => {
  test("answers JSON to JSON, with a charset", async () => {
    const { app } = setup();
    const res = await postJson(app, HELLO);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  test("answers CBOR to CBOR", async () => {
    const { app, calls } = setup();
    const res = await app.request("/rpc", { method: "POST", headers: { ...AUTH, ...CBOR_TYPE }, body: cborEncode(HELLO) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/cbor");
    expect(cborDecode(new Uint8Array(await res.arrayBuffer()))).toEqual({ ok: ["fuga@localhost"] });
    expect(calls).toEqual([HELLO]);
  });

  test("answers what Accept names when it names only the other format", async () => {
    const { app } = setup();
    const cbor = await postJson(app, HELLO, { accept: "application/cbor" });
    expect(cbor.headers.get("content-type")).toBe("application/cbor");
    expect(cborDecode(new Uint8Array(await cbor.arrayBuffer()))).toEqual({ ok: ["fuga@localhost"] });
    const json = await app.request("/rpc", {
      method: "POST",
      headers: { ...AUTH, ...CBOR_TYPE, accept: "application/json" },
      body: cborEncode(HELLO),
    });
    expect(await json.json()).toEqual({ ok: ["fuga@localhost"] });
  });

  test("answers in the request's format to Accept: */* (curl's default)", async () => {
    const { app } = setup();
    const res = await app.request("/rpc", { method: "POST", headers: { ...AUTH, ...CBOR_TYPE, accept: "*/*" }, body: cborEncode(HELLO) });
    expect(res.headers.get("content-type")).toBe("application/cbor");
  });

  test("answers a failure before the body is read (401) in the format Accept asks for", async () => {
    const { app } = setup();
    const res = await app.request("/rpc", { method: "POST", headers: { ...CBOR_TYPE }, body: cborEncode(HELLO) });
    expect(res.status).toBe(401);
    expect(cborDecode(new Uint8Array(await res.arrayBuffer()))).toEqual({ error: { kind: "unauthorized" } });
  });
});

describe("POST /rpc status of each result kind (SPEC §4)", () => {
  const cases: [CallResult, number][] = [
    [{ kind: "ok", value: 42 }, 200],
    [{ kind: "exception", name: "TypeError", message: "boom" }, 500],
    [{ kind: "undef", module: "Person", function: "nope" }, 404],
    [{ kind: "noconnection", node: "fuga@localhost" }, 502],
    [{ kind: "timeout", node: "fuga@localhost", timeoutMs: 100 }, 504],
    [{ kind: "badarg", message: "bad" }, 400],
    [{ kind: "unauthorized" }, 401],
  ];
  for (const [result, status] of cases) {
    test(`${result.kind} is ${status}, with the result as body`, async () => {
      const { app } = setup(() => result);
      const res = await postJson(app, HELLO);
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual(result.kind === "ok" ? { ok: result.value } : { error: result });
    });
  }

  test("a value the format cannot carry is a 500 EncodeError exception", async () => {
    const { app } = setup(() => ({ kind: "ok", value: (() => 1) as never }));
    const res = await postJson(app, HELLO);
    expect(res.status).toBe(500);
    const { error } = await res.json();
    expect(error.kind).toBe("exception");
    expect(error.name).toBe("EncodeError");
  });
});

describe("POST /rpc ahead of hono's router, and through it", () => {
  test("a query string, and a path spelt with percent escapes, reach the same handler", async () => {
    const { app, calls } = setup();
    for (const path of ["/rpc?trace=1", "/%72pc"]) {
      const res = await app.request(path, {
        method: "POST",
        headers: { ...AUTH, ...JSON_TYPE },
        body: JSON.stringify(HELLO),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: ["fuga@localhost"] });
    }
    expect(calls).toEqual([HELLO, HELLO]);
    // Not /rpc: a longer path, or one with a trailing slash
    for (const path of ["/rpcx", "/rpc/"]) {
      expect((await app.request(path, { method: "POST", headers: AUTH })).status).toBe(404);
    }
  });

  test("a call that throws is a 500, and gives its slot back", async () => {
    const app = createHttpApp({
      cookie: COOKIE,
      limits: { maxBytes: 1024, maxDepth: 8 },
      call: () => Promise.reject(new Error("broken node")),
      health: () => ({}),
      metrics: () => "",
      maxRequests: 1,
    });
    for (let i = 0; i < 2; i++) {
      const res = await postJson(app, HELLO);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("Internal error: broken node\n");
    }
  });
});

describe("the other routes", () => {
  test("GET /health answers the node's health as JSON, without credentials", async () => {
    const { app } = setup();
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", node: "hoge@localhost" });
  });

  test("GET /metrics answers Prometheus text, without credentials", async () => {
    const { app } = setup();
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    expect(await res.text()).toBe('meshrpc_connected_nodes{node="hoge@localhost"} 0\n');
  });

  test("GET /rpc is 405 and names POST", async () => {
    const { app } = setup();
    const res = await app.request("/rpc", { headers: AUTH });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  test("an unknown path is 404 and lists the routes", async () => {
    const { app } = setup();
    const res = await app.request("/nope", { method: "POST", headers: AUTH });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("POST /rpc");
  });
});
