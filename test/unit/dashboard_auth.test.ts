/**
 * The dashboard's guard through `app.request()`: nothing without a session
 * (pages redirect to sign-in, data answers 401), not even with a session
 * another cluster cookie minted; the session cookie's attributes; a wrong
 * cookie waits and is refused; a cross-origin or token-less form is refused.
 * A fake node answers the calls. No daemon, no socket.
 */
import { describe, expect, test } from "bun:test";
import { createDashboardApp, type DashboardOptions } from "../../lib/dashboard/app.ts";
import { SESSION_COOKIE, sessionToken } from "../../lib/dashboard/guard.ts";
import { Sessions } from "../../lib/dashboard/sessions.ts";
import type { CallResult, Value } from "../../lib/result.ts";

const ORIGIN = "http://localhost";
const SELF = "hoge@localhost";

function setup(cookie = "cookie-one", extra: Partial<DashboardOptions> = {}) {
  const calls: { node: string; module: string; fn: string; args: Value[] }[] = [];
  const app = createDashboardApp({
    self: SELF,
    cookie,
    secure: false,
    limits: { maxBytes: 4096, maxDepth: 8 },
    wrongCookieDelayMs: 50,
    nodes: () => ({ visible: ["fuga@localhost"], hidden: [] }),
    call: (node, module, fn, args): Promise<CallResult> => {
      calls.push({ node, module, fn, args });
      if (module === "system" && fn === "info") return Promise.resolve({ kind: "ok", value: { runtime: "bun", node } });
      if (module === "Person") return Promise.resolve({ kind: "ok", value: `Hello from ${node}` });
      return Promise.resolve({ kind: "undef", module, function: fn });
    },
    onChange: () => () => {},
    stopping: () => false,
    ...extra,
  });
  return { app, calls };
}

type App = ReturnType<typeof setup>["app"];

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Signs in; returns the Cookie header value and the session's form token. */
async function signIn(app: App, cookie: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await app.request(`${ORIGIN}/dashboard/signin`, form({ cookie }));
  expect(res.status).toBe(303);
  const setCookie = res.headers.get("set-cookie")!;
  const token = sessionToken(setCookie.split(";")[0]);
  const page = await (await app.request(`${ORIGIN}/dashboard`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf, setCookie };
}

const PAGES = ["/dashboard", "/dashboard/", "/dashboard/node/hoge%40localhost", "/dashboard/call", "/dashboard/nowhere"];
const DATA = ["/dashboard/stream?view=overview", "/dashboard/stream?view=node&node=hoge%40localhost", "/dashboard/assets/app.js"];

describe("without a session", () => {
  test("every page redirects to sign-in and every data endpoint answers 401", async () => {
    const { app, calls } = setup();
    for (const path of PAGES) {
      const res = await app.request(`${ORIGIN}${path}`);
      expect([path, res.status, res.headers.get("location")]).toEqual([path, 303, "/dashboard/signin"]);
    }
    for (const path of DATA) {
      const res = await app.request(`${ORIGIN}${path}`);
      expect([path, res.status]).toEqual([path, 401]);
    }
    for (const path of ["/dashboard/call", "/dashboard/signout"]) {
      const res = await app.request(`${ORIGIN}${path}`, form({ node: SELF, module: "Person", function: "say_hello", args: "[]" }));
      expect([path, res.status]).toEqual([path, 401]);
    }
    expect(calls).toEqual([]);
  });

  test("a made-up or forged session cookie is refused", async () => {
    const { app } = setup();
    for (const value of ["x", "a".repeat(32) + "." + "b".repeat(43), ""]) {
      const res = await app.request(`${ORIGIN}/dashboard/stream?view=overview`, { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(res.status).toBe(401);
    }
  });

  test("a session minted with another cluster cookie is refused, on a node of the other cluster and on a fresh one", async () => {
    const other = setup("cookie-two");
    const { cookie } = await signIn(other.app, "cookie-two");
    expect((await other.app.request(`${ORIGIN}/dashboard`, { headers: { cookie } })).status).toBe(200);
    const { app } = setup("cookie-one");
    expect((await app.request(`${ORIGIN}/dashboard`, { headers: { cookie } })).status).toBe(303);
    expect((await app.request(`${ORIGIN}/dashboard/stream?view=overview`, { headers: { cookie } })).status).toBe(401);
    // Its signature does not verify with this cookie either, whatever the table holds.
    const token = sessionToken(cookie)!;
    expect(await new Sessions("cookie-one").check(token)).toBeUndefined();
  });

  test("the sign-in page and the stylesheet need none", async () => {
    const { app } = setup();
    expect((await app.request(`${ORIGIN}/dashboard/signin`)).status).toBe(200);
    expect((await app.request(`${ORIGIN}/dashboard/assets/style.css`)).status).toBe(200);
  });
});

describe("signing in", () => {
  test("the session cookie is HttpOnly, SameSite=Strict, scoped to /dashboard, expiring, and not the cluster cookie", async () => {
    const { app } = setup("cookie-one");
    const { setCookie } = await signIn(app, "cookie-one");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/dashboard");
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(setCookie).not.toContain("Secure");
    expect(setCookie).not.toContain("cookie-one");
  });

  test("with TLS the session cookie is Secure", async () => {
    const { app } = setup("cookie-one", { secure: true });
    expect((await signIn(app, "cookie-one")).setCookie).toContain("; Secure");
  });

  test("a wrong cookie waits, then is refused with a message and no session", async () => {
    const { app } = setup("cookie-one", { wrongCookieDelayMs: 300 });
    const started = Date.now();
    const res = await app.request(`${ORIGIN}/dashboard/signin`, form({ cookie: "cookie-two" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("That is not this cluster&#39;s cookie");
  });

  test("sign-ins waiting at once are bounded: the extra ones are refused at once", async () => {
    const { app } = setup("cookie-one", { wrongCookieDelayMs: 300 });
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await app.request(`${ORIGIN}/dashboard/signin`, form({ cookie: "nope" }))).status),
    );
    expect(statuses.filter((s) => s === 401).length).toBe(4);
    expect(statuses.filter((s) => s === 429).length).toBe(6);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("a sign-in posted from another origin is refused", async () => {
    const { app } = setup("cookie-one");
    const res = await app.request(`${ORIGIN}/dashboard/signin`, form({ cookie: "cookie-one" }, { origin: "http://evil.example" }));
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  test("signing out ends the session", async () => {
    const { app } = setup("cookie-one");
    const { cookie, csrf } = await signIn(app, "cookie-one");
    const out = await app.request(`${ORIGIN}/dashboard/signout`, form({ csrf }, { cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await app.request(`${ORIGIN}/dashboard/stream?view=overview`, { headers: { cookie } })).status).toBe(401);
  });
});

describe("the call form", () => {
  test("runs the call with the session's token from the same origin", async () => {
    const { app, calls } = setup("cookie-one");
    const { cookie, csrf } = await signIn(app, "cookie-one");
    const fields = { csrf, node: "fuga@localhost", module: "Person", function: "say_hello", args: '["hoge@localhost"]', timeout: "5000" };
    const res = await app.request(`${ORIGIN}/dashboard/call`, form(fields, { cookie }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Hello from fuga@localhost");
    expect(calls).toContainEqual({ node: "fuga@localhost", module: "Person", fn: "say_hello", args: ["hoge@localhost"] });
  });

  test("is refused from another origin, without an origin, or without the session's token", async () => {
    const { app, calls } = setup("cookie-one");
    const { cookie, csrf } = await signIn(app, "cookie-one");
    const fields = { node: SELF, module: "Person", function: "say_hello", args: "[]" };
    const attempts = [
      form({ ...fields, csrf }, { cookie, origin: "http://evil.example" }),
      { ...form({ ...fields, csrf }, { cookie }), headers: { cookie, "content-type": "application/x-www-form-urlencoded" } },
      form(fields, { cookie }),
      form({ ...fields, csrf: csrf.slice(1) + "x" }, { cookie }),
    ];
    for (const init of attempts) expect((await app.request(`${ORIGIN}/dashboard/call`, init)).status).toBe(403);
    expect(calls.filter((c) => c.module === "Person")).toEqual([]);
  });

  test("arguments that are not a JSON array are a badarg, not a call", async () => {
    const { app, calls } = setup("cookie-one");
    const { cookie, csrf } = await signIn(app, "cookie-one");
    const res = await app.request(`${ORIGIN}/dashboard/call`, form({ csrf, node: SELF, module: "Person", function: "say_hello", args: "{" }, { cookie }));
    expect(await res.text()).toContain("badarg");
    expect(calls.filter((c) => c.module === "Person")).toEqual([]);
  });
});

describe("pages", () => {
  test("escape what nodes send and forbid inline scripts", async () => {
    const { app } = setup("cookie-one", { nodes: () => ({ visible: ["<img src=x>@localhost"], hidden: [] }) });
    const { cookie } = await signIn(app, "cookie-one");
    const res = await app.request(`${ORIGIN}/dashboard`, { headers: { cookie } });
    const text = await res.text();
    expect(text).not.toContain("<img src=x>");
    expect(text).toContain("&lt;img src=x&gt;@localhost");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  test("a node the dashboard has never seen is a 404, not a dial", async () => {
    const { app, calls } = setup("cookie-one");
    const { cookie } = await signIn(app, "cookie-one");
    const res = await app.request(`${ORIGIN}/dashboard/node/evil%40example.com`, { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(calls.some((c) => c.node === "evil@example.com")).toBe(false);
  });
});
