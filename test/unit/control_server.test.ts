/**
 * The control plane's routes through `app.request()`, with a fake
 * ControlTarget that records what it was asked. No daemon, no socket.
 */
import { describe, expect, test } from "bun:test";
import { decode as cborDecode, encode as cborEncode } from "cborg";
import type { NodeEvent } from "../../lib/core/events.ts";
import type { NodeStatus } from "../../lib/control/protocol.ts";
import { createControlApp, type ControlTarget } from "../../lib/control/server.ts";
import { type CallResult, noconnection, ok } from "../../lib/result.ts";

const STATUS: NodeStatus = {
  node: "hoge@localhost",
  pid: 4242,
  port: 4370,
  listen: "127.0.0.1",
  runtime: "bun",
  runtimeVersion: "1.0.0",
  version: "0.0.0",
  uptimeSeconds: 3,
  hidden: false,
  epmdPort: 4369,
  nodes: ["fuga@localhost"],
  hiddenNodes: ["cli@localhost"],
  modules: ["Person"],
};

/** A target that answers with fixed results and records what it is asked. */
function setup() {
  const asked: [string, unknown][] = [];
  let listener: ((e: NodeEvent) => void) | undefined;
  let unsubscribed = false;
  let stopped = false;
  /** Records each request as [method, argument] before answering it. */
  const record = <A, R>(method: string, answer: (arg: A) => R) => (arg: A): R => {
    asked.push([method, arg]);
    return answer(arg);
  };
  const target: ControlTarget = {
    status: () => STATUS,
    call: record("call", () => Promise.resolve(ok("called"))),
    cast: record("cast", () => ok(true)),
    multicall: record("multicall", () => Promise.resolve([{ node: "hoge@localhost", result: ok(1) }])),
    ping: record("ping", (node: string) => Promise.resolve(node === "fuga@localhost" ? "pong" : "pang")),
    join: record("join", (node: string) => Promise.resolve(noconnection(node))),
    disconnect: record("disconnect", (node: string) => node === "fuga@localhost"),
    load: record("load", () => Promise.resolve([{ node: "hoge@localhost", result: ok("Person") }])),
    stop: () => {
      stopped = true;
    },
    subscribe: (l) => {
      listener = l;
      return () => {
        unsubscribed = true;
      };
    },
  };
  const app = createControlApp(target);
  return {
    app,
    asked,
    emit: (e: NodeEvent) => listener!(e),
    stopped: () => stopped,
    unsubscribed: () => unsubscribed,
  };
}

async function get(app: ReturnType<typeof setup>["app"], path: string): Promise<unknown> {
  const res = await app.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/cbor");
  return cborDecode(new Uint8Array(await res.arrayBuffer()));
}

async function post(app: ReturnType<typeof setup>["app"], path: string, body: unknown): Promise<unknown> {
  const res = await app.request(path, { method: "POST", headers: { "content-type": "application/cbor" }, body: cborEncode(body) });
  expect(res.status).toBe(200);
  return cborDecode(new Uint8Array(await res.arrayBuffer()));
}

const HELLO = { module: "Person", function: "say_hello", args: ["fuga@localhost"] };

describe("the control plane's routes", () => {
  test("GET /status answers the node's status", async () => {
    const { app } = setup();
    expect(await get(app, "/status")).toEqual(STATUS);
  });

  test("GET /nodes answers the visible and the hidden nodes", async () => {
    const { app } = setup();
    expect(await get(app, "/nodes")).toEqual({ nodes: ["fuga@localhost"], hidden: ["cli@localhost"] });
  });

  test("POST /call hands over the parsed request, with timeout in milliseconds", async () => {
    const { app, asked } = setup();
    expect(await post(app, "/call", { ...HELLO, node: "fuga@localhost", timeout: 100 })).toEqual({ kind: "ok", value: "called" });
    expect(asked).toEqual([["call", { ...HELLO, node: "fuga@localhost", timeoutMs: 100 }]]);
  });

  test("POST /call and /cast answer badarg for a bad request without asking the node", async () => {
    const { app, asked } = setup();
    for (const path of ["/call", "/cast"]) {
      const r = (await post(app, path, { function: "f" })) as CallResult;
      expect(r).toEqual({ kind: "badarg", message: '"module" must be a non-empty string' });
    }
    expect(asked).toEqual([]);
  });

  test("POST /cast hands over the request", async () => {
    const { app, asked } = setup();
    expect(await post(app, "/cast", HELLO)).toEqual({ kind: "ok", value: true });
    expect(asked).toEqual([["cast", HELLO]]);
  });

  test("POST /multicall hands over the nodes, or none for every visible node", async () => {
    const { app, asked } = setup();
    const one = [{ node: "hoge@localhost", result: { kind: "ok", value: 1 } }];
    expect(await post(app, "/multicall", { ...HELLO, nodes: ["hoge@localhost", "fuga@localhost"], timeout: 50 })).toEqual(one);
    expect(await post(app, "/multicall", HELLO)).toEqual(one);
    expect(asked).toEqual([
      ["multicall", { ...HELLO, nodes: ["hoge@localhost", "fuga@localhost"], timeoutMs: 50 }],
      ["multicall", { ...HELLO, nodes: undefined }],
    ]);
  });

  test("POST /multicall answers badarg for nodes that are not a list of node names", async () => {
    const { app, asked } = setup();
    expect(await post(app, "/multicall", { ...HELLO, nodes: "hoge@localhost" })).toEqual({
      kind: "badarg",
      message: "nodes must be a list of node names",
    });
    expect(((await post(app, "/multicall", { ...HELLO, nodes: ["no-at-sign"] })) as CallResult).kind).toBe("badarg");
    expect(asked).toEqual([]);
  });

  test("POST /ping answers pong or pang as an ok result", async () => {
    const { app, asked } = setup();
    expect(await post(app, "/ping", { node: "fuga@localhost" })).toEqual({ kind: "ok", value: "pong" });
    expect(await post(app, "/ping", { node: "piyo@localhost" })).toEqual({ kind: "ok", value: "pang" });
    expect(asked).toEqual([["ping", "fuga@localhost"], ["ping", "piyo@localhost"]]);
  });

  test("POST /join answers the node's result unchanged", async () => {
    const { app } = setup();
    expect(await post(app, "/join", { node: "fuga@localhost" })).toEqual({ kind: "noconnection", node: "fuga@localhost" });
  });

  test("POST /disconnect answers whether there was a link", async () => {
    const { app } = setup();
    expect(await post(app, "/disconnect", { node: "fuga@localhost" })).toEqual({ kind: "ok", value: true });
    expect(await post(app, "/disconnect", { node: "piyo@localhost" })).toEqual({ kind: "ok", value: false });
  });

  test("POST /ping, /join and /disconnect answer badarg for a missing or bad node name", async () => {
    const { app, asked } = setup();
    for (const path of ["/ping", "/join", "/disconnect"]) {
      expect(((await post(app, path, {})) as CallResult).kind).toBe("badarg");
      expect(((await post(app, path, { node: "no-at-sign" })) as CallResult).kind).toBe("badarg");
    }
    expect(asked).toEqual([]);
  });

  test("POST /load hands over file, source, nodes and all", async () => {
    const { app, asked } = setup();
    const source = "export function f() { return 1; }";
    expect(await post(app, "/load", { file: "Person.ts", source, all: true })).toEqual([
      { node: "hoge@localhost", result: { kind: "ok", value: "Person" } },
    ]);
    await post(app, "/load", { file: "Person.ts", source, nodes: ["fuga@localhost"] });
    expect(asked).toEqual([
      ["load", { file: "Person.ts", source, nodes: undefined, all: true }],
      ["load", { file: "Person.ts", source, nodes: ["fuga@localhost"], all: false }],
    ]);
  });

  test("POST /load answers badarg without a file name or source, or with bad nodes", async () => {
    const { app, asked } = setup();
    expect(await post(app, "/load", { file: "Person.ts" })).toEqual({ kind: "badarg", message: "load needs a file name and its source" });
    expect(((await post(app, "/load", { file: "P.ts", source: "", nodes: [1] })) as CallResult).kind).toBe("badarg");
    expect(asked).toEqual([]);
  });

  test("POST /stop answers before it stops the node", async () => {
    const t = setup();
    expect(await post(t.app, "/stop", {})).toEqual({ kind: "ok", value: true });
    expect(t.stopped()).toBe(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(t.stopped()).toBe(true);
  });

  test("GET /events streams a subscribed line, then one JSON line per event, and unsubscribes on cancel", async () => {
    const t = setup();
    const res = await t.app.request("/events");
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe('{"type":"subscribed","node":"hoge@localhost"}\n');
    t.emit({ type: "nodeup", node: "fuga@localhost", hidden: false, time: 1 });
    expect(JSON.parse((await reader.read()).value!)).toEqual({ type: "nodeup", node: "fuga@localhost", hidden: false, time: 1 });
    await reader.cancel();
    expect(t.unsubscribed()).toBe(true);
  });

  test("a body that is not CBOR answers badarg", async () => {
    const { app, asked } = setup();
    const res = await app.request("/call", { method: "POST", body: new Uint8Array([0xff, 0xff]) });
    const r = cborDecode(new Uint8Array(await res.arrayBuffer())) as CallResult;
    expect(r.kind).toBe("badarg");
    expect((r as { message: string }).message).toStartWith("The control request could not be read");
    expect(asked).toEqual([]);
  });
});
