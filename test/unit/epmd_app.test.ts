import { describe, expect, test } from "bun:test";
import { checkRegistration } from "../../lib/epmd/accept.ts";
import { isLoopback, mapperBase } from "../../lib/epmd/protocol.ts";
import { Registry } from "../../lib/epmd/registry.ts";
import { createEpmdApp } from "../../lib/epmd/server.ts";

function setup() {
  const registry = new Registry();
  const app = createEpmdApp(registry, { pid: 4242, version: "9.9.9", runtime: "bun" });
  return { registry, app };
}

describe("the port mapper's HTTP app", () => {
  test("lists registered names sorted by name", async () => {
    const { registry, app } = setup();
    registry.claim({ name: "zeta", port: 4003 });
    registry.claim({ name: "alpha", port: 4001, pid: 10, runtime: "deno" });
    registry.claim({ name: "hoge", port: 4002 });
    const res = await app.request("/names");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      names: [
        { name: "alpha", port: 4001, pid: 10, runtime: "deno" },
        { name: "hoge", port: 4002 },
        { name: "zeta", port: 4003 },
      ],
    });
  });

  test("lists no names when nothing is registered", async () => {
    const { app } = setup();
    expect(await (await app.request("/names")).json()).toEqual({ names: [] });
  });

  test("answers a lookup of a registered name with its port", async () => {
    const { registry, app } = setup();
    registry.claim({ name: "hoge", port: 4001 });
    const res = await app.request("/names/hoge");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "hoge", port: 4001 });
  });

  test("answers a lookup of an unknown name with 404 and a message", async () => {
    const { registry, app } = setup();
    registry.claim({ name: "hoge", port: 4001 });
    const res = await app.request("/names/fuga");
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error).toBe("unknown");
    expect(body.message).toContain("no node named fuga");
  });

  test("reports its pid, version and the number of names on /health", async () => {
    const { registry, app } = setup();
    registry.claim({ name: "hoge", port: 4001 });
    registry.claim({ name: "fuga", port: 4002 });
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      service: "meshrpc-epmd",
      pid: 4242,
      version: "9.9.9",
      runtime: "bun",
      names: 2,
    });
  });

  test("tells a plain GET of /register that it needs a WebSocket upgrade", async () => {
    const { app } = setup();
    const res = await app.request("/register?name=hoge&port=1");
    expect(res.status).toBe(426);
    expect((await res.json()).message).toContain("WebSocket");
  });

  test("answers an unknown path with 404 JSON that names the routes", async () => {
    const { app } = setup();
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect((await res.json()).message).toContain("/names");
  });
});

describe("the registry", () => {
  test("refuses a name that is held and says who holds it", () => {
    const registry = new Registry();
    registry.claim({ name: "hoge", port: 4001 });
    const second = registry.claim({ name: "hoge", port: 4002 });
    expect(second).toEqual({ kind: "taken", holder: { name: "hoge", port: 4001 } });
  });

  test("does not let a stale release drop a newer registration", () => {
    const registry = new Registry();
    const first = registry.claim({ name: "hoge", port: 4001 });
    if (first.kind !== "ok") throw new Error("first claim failed");
    expect(registry.release(first.entry)).toBe(true);
    registry.claim({ name: "hoge", port: 4002 });
    expect(registry.release(first.entry)).toBe(false);
    expect(registry.get("hoge")?.port).toBe(4002);
  });
});

describe("a registration request", () => {
  const q = (s: string) => new URLSearchParams(s);

  test("is accepted from loopback with a valid name and port", () => {
    expect(checkRegistration(q("name=hoge&port=4001&pid=77&runtime=deno"), "127.0.0.1")).toEqual({
      kind: "ok",
      entry: { name: "hoge", port: 4001, pid: 77, runtime: "deno" },
    });
  });

  test("is refused with code 4003 from a peer that is not on this host", () => {
    const r = checkRegistration(q("name=hoge&port=4001"), "10.0.0.5");
    expect(r.kind === "refused" && r.code).toBe(4003);
    expect(r.kind === "refused" && r.message).toContain("10.0.0.5 is not a loopback address");
  });

  test("is refused with code 4000 for a name with an @ or a bad port", () => {
    const badName = checkRegistration(q("name=hoge@localhost&port=4001"), "::1");
    expect(badName.kind === "refused" && badName.code).toBe(4000);
    const badPort = checkRegistration(q("name=hoge&port=70000"), "::1");
    expect(badPort.kind === "refused" && badPort.message).toContain('invalid port "70000"');
  });
});

describe("address helpers", () => {
  test("treat 127/8, ::1 and IPv4-mapped loopback as loopback, and nothing else", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "[::1]"]) expect(isLoopback(a)).toBe(true);
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "128.0.0.1", "", "unix", "fe80::1"]) {
      expect(isLoopback(a)).toBe(false);
    }
  });

  test("bracket IPv6 hosts and send localhost to 127.0.0.1", () => {
    expect(mapperBase("localhost", 4370)).toBe("http://127.0.0.1:4370");
    expect(mapperBase("::1", 4370, "ws")).toBe("ws://[::1]:4370");
    expect(mapperBase("db1.example.com", 1)).toBe("http://db1.example.com:1");
  });
});
