/**
 * One node as a real daemon, started the three ways a user can: from source
 * under Bun, as the compiled binary, from source under Deno.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { Cluster, FIXTURES, FLAVORS, type NodeProc, waitFor } from "../support/cluster.ts";

// Real daemons start in tens of milliseconds, but a loaded CI machine can be slow.
setDefaultTimeout(30_000);

const MODULES = join(FIXTURES, "modules");

for (const flavor of FLAVORS) {
  describe(`a daemon run as ${flavor}`, () => {
    let cluster: Cluster;
    let node: NodeProc;

    beforeAll(async () => {
      cluster = new Cluster({ flavor });
      node = await cluster.start("solo@localhost", { args: ["--modules", MODULES] });
    });
    afterAll(() => cluster.cleanup());

    test("the CLI calls system info and gets this node's runtime and pid", async () => {
      const r = await cluster.cli(["call", "solo@localhost", "system", "info"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const info = JSON.parse(r.stdout);
      expect(info.node).toBe("solo@localhost");
      expect(info.runtime).toBe(flavor === "deno" ? "deno" : "bun");
      expect(info.pid).toBe(node.pid);
      expect(info.cpus).toBeGreaterThan(0);
      expect(info.loadavg).toHaveLength(3);
      expect(info.memory.rss).toBeGreaterThan(0);
    });

    test("the CLI calls a user module with a bare word as a string argument", async () => {
      const r = await cluster.cli(["call", "solo@localhost", "Person", "say_hello", "hoge@localhost"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toBe("Hello, Hoge! My name is Solo.");
      const text = await cluster.cli(["call", "solo@localhost", "Person", "say_hello", "hoge@localhost", "--format", "text"]);
      expect(text.stdout).toBe("Hello, Hoge! My name is Solo.\n");
    });

    test("POST /rpc with a JSON body answers 200 and the value", async () => {
      const r = await cluster.rpc(node.port, { module: "Person", function: "say_hello", args: ["fuga@localhost"] });
      expect(r).toEqual({ status: 200, body: { ok: "Hello, Fuga! My name is Solo." } });
    });

    test("POST /rpc with a CBOR body answers in CBOR, keeping bigints, bytes and dates", async () => {
      const res = await fetch(`http://127.0.0.1:${node.port}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/cbor" },
        body: encode({ module: "rpc", function: "echo", args: [[7n, new Uint8Array([9, 8]), new Date(0)]] }) as BodyInit,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/cbor");
      const body = decode(new Uint8Array(await res.arrayBuffer())) as { ok: unknown[] };
      expect(body.ok).toEqual([7n, new Uint8Array([9, 8]), new Date(0)]);
    });

    test("POST /rpc without a bearer, or with a wrong one, is 401 unauthorized", async () => {
      const none = await cluster.rpc(node.port, { module: "rpc", function: "echo", args: [1] }, { authorization: "" });
      expect(none).toEqual({ status: 401, body: { error: { kind: "unauthorized" } } });
      const wrong = await cluster.rpc(node.port, { module: "rpc", function: "echo", args: [1] }, { authorization: "Bearer nope" });
      expect(wrong.status).toBe(401);
    });

    test("an undecodable body is 400 badarg, in JSON and in CBOR", async () => {
      for (const [type, body] of [["application/json", "{not json"], ["application/cbor", new Uint8Array([0xbf, 0x61])]] as const) {
        const res = await fetch(`http://127.0.0.1:${node.port}/rpc`, {
          method: "POST",
          headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": type, accept: "application/json" },
          body,
        });
        expect(res.status).toBe(400);
        expect((await res.json()).error.kind).toBe("badarg");
      }
    });

    test("args that are not a list are 400 badarg, saying so", async () => {
      const r = await cluster.rpc(node.port, { module: "rpc", function: "echo", args: "x" });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain('"args" must be a list');
    });

    test("an oversized body is 413 and the node keeps serving", async () => {
      const big = "x".repeat(9 * 1024 * 1024);
      const r = await cluster.rpc(node.port, { module: "rpc", function: "echo", args: [big] });
      expect(r.status).toBe(413);
      expect(r.body.error.kind).toBe("badarg");
      const after = await cluster.rpc(node.port, { module: "rpc", function: "echo", args: ["still here"] });
      expect(after.body).toEqual({ ok: "still here" });
    });

    test("nesting deeper than the limit is 400 badarg, in JSON and in CBOR", async () => {
      const deep = "[".repeat(500) + "]".repeat(500);
      const json = await fetch(`http://127.0.0.1:${node.port}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/json" },
        body: `{"module":"rpc","function":"echo","args":[${deep}]}`,
      });
      expect(json.status).toBe(400);
      expect((await json.json()).error.message).toContain("deeper");
      const cbor = await fetch(`http://127.0.0.1:${node.port}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/cbor", accept: "application/json" },
        body: new Uint8Array(100_000).fill(0x81) as BodyInit,
      });
      expect(cbor.status).toBe(400);
    });

    test("a missing function is 404 undef, naming module and function", async () => {
      const r = await cluster.rpc(node.port, { module: "Person", function: "nope", args: [] });
      expect(r).toEqual({ status: 404, body: { error: { kind: "undef", module: "Person", function: "nope" } } });
      const missing = await cluster.rpc(node.port, { module: "Nobody", function: "nope" });
      expect(missing.status).toBe(404);
    });

    test("a throwing function is 500 exception with its name, message and data", async () => {
      const r = await cluster.rpc(node.port, { module: "Faulty", function: "boom", args: ["it broke"] });
      expect(r.status).toBe(500);
      expect(r.body.error).toMatchObject({ kind: "exception", name: "RangeError", message: "it broke", data: { code: 42 } });
      expect(r.body.error.stack).toContain("boom");
      const rejected = await cluster.rpc(node.port, { module: "Faulty", function: "reject", args: ["async no"] });
      expect(rejected.body.error).toMatchObject({ kind: "exception", name: "Error", message: "async no" });
    });

    test("a function that outlives the timeout is 504 timeout, and its this.signal fires", async () => {
      const marker = join(cluster.dir, `aborted-${flavor}`);
      const r = await cluster.rpc(node.port, { module: "Slow", function: "wait", args: [10_000, marker], timeout: 300 });
      expect(r).toEqual({ status: 504, body: { error: { kind: "timeout", node: "solo@localhost", timeoutMs: 300 } } });
      await waitFor("the callee's signal to fire", () => existsSync(marker), 3000);
      expect(readFileSync(marker, "utf8")).toContain("aborted");
    });

    test("the CLI exits with the code of each outcome", async () => {
      expect((await cluster.cli(["call", "solo@localhost", "Faulty", "boom", "x"])).code).toBe(1);
      expect((await cluster.cli(["call", "solo@localhost", "Person", "nope"])).code).toBe(1);
      expect((await cluster.cli(["call", "solo@localhost", "Slow", "wait", "5000", "/dev/null", "--timeout", "100"])).code).toBe(4);
      const bad = await cluster.cli(["call", "not a node", "rpc", "echo"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("Invalid node name");
    });

    test("a second start of the same name is refused with a clear message", async () => {
      const r = await cluster.cli(["start", "--sname", "solo@localhost", "--cookie", cluster.cookie, "--listen", "127.0.0.1"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("solo@localhost is already running");
    });

    test("stop ends the daemon with exit 0 and removes its socket", async () => {
      const other = await cluster.start("other@localhost");
      expect(existsSync(other.socket)).toBe(true);
      const r = await cluster.cli(["stop", "--node", "other@localhost"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("stopped other@localhost\n");
      expect(await other.proc.exited).toBe(0);
      expect(existsSync(other.socket)).toBe(false);
    });
  });
}
