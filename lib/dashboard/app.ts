/**
 * The dashboard's HTTP face, `GET /dashboard` and below: sign-in, the
 * cluster overview, one node, the call form, the live stream, the assets.
 * A pure hono app handed what it needs (`DashboardOptions`); the node mounts
 * it beside `/rpc`. Everything but the sign-in page and the stylesheet
 * needs a session; what changes something must come from the same origin
 * and carry the session's token.
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Context } from "hono";
import { decodeJson } from "../codec/json_decode.ts";
import type { Limits } from "../codec/limits.ts";
import { badarg, type CallResult, DEFAULT_CALL_TIMEOUT_MS, type Value } from "../result.ts";
import { SCRIPT } from "./asset_script.ts";
import { STYLE } from "./asset_style.ts";
import { type DashboardHost, Gatherer } from "./gather.ts";
import { SignInGate, sameOrigin, sameToken, sessionCookie, sessionToken } from "./guard.ts";
import { h, type Html } from "./html.ts";
import { page } from "./layout.ts";
import { type Session, type SessionOptions, Sessions } from "./sessions.ts";
import { LIVE_INTERVAL_MS, liveStream } from "./stream.ts";
import { callBody, type CallForm } from "./view_call.ts";
import { nodeBody, nodeSections } from "./view_node.ts";
import { overviewBody, overviewCards } from "./view_overview.ts";
import { signinBody } from "./view_signin.ts";

export interface DashboardOptions extends DashboardHost {
  /** The cluster cookie: what signing in asks for, and the key sessions are signed with. */
  cookie: string;
  /** TLS is on: the session cookie is `Secure`. */
  secure: boolean;
  /** Limits for the call form's arguments. */
  limits: Limits;
  /** Calls `listener` on every nodeup and nodedown; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** True once the node is stopping: live streams end. */
  stopping(): boolean;
  /** How long a wrong cookie waits before its answer (default 1 s). */
  wrongCookieDelayMs?: number;
  sessions?: SessionOptions;
  /** How often live pages are refreshed without a change (default 2 s). */
  liveIntervalMs?: number;
}

type Env = { Variables: { session: Session; token: string } };

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  // Not no-referrer: with it, browsers send `Origin: null` on the forms' POSTs, and the origin check refuses them.
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

const FORBIDDEN_ORIGIN =
  "Refused: this request did not come from this dashboard's own page (another origin, or a stale form). Reload the dashboard and try again.";

export function createDashboardApp(o: DashboardOptions): Hono<Env> {
  const app = new Hono<Env>();
  const sessions = new Sessions(o.cookie, o.sessions);
  const gate = new SignInGate(o.cookie, o.wrongCookieDelayMs);
  const data = new Gatherer(o);
  const interval = o.liveIntervalMs ?? LIVE_INTERVAL_MS;
  const cookieOptions = { secure: o.secure, maxAgeSeconds: sessions.ttlMs / 1000 };
  const signinPage = (c: Context, problem?: string, status: 200 | 401 | 403 | 429 = 200) =>
    c.html(page({ title: "Sign in", self: o.self }, signinBody(o.self, problem)), status);

  app.use("/dashboard/*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  app.post("/dashboard/*", bodyLimit({
    maxSize: o.limits.maxBytes * 3 + 4096,
    onError: (c) => c.text("The form is too large: send smaller arguments\n", 413),
  }));

  // ---- reachable without a session ----

  app.get("/dashboard/assets/style.css", (c) => c.body(STYLE, 200, { "content-type": "text/css; charset=utf-8" }));

  app.get("/dashboard/signin", async (c) => {
    if (await sessions.check(sessionToken(c.req.header("cookie")))) return c.redirect("/dashboard", 303);
    return signinPage(c);
  });

  app.post("/dashboard/signin", async (c) => {
    if (!sameOrigin(c.req.raw)) return signinPage(c, FORBIDDEN_ORIGIN, 403);
    const form = await c.req.parseBody();
    const given = typeof form.cookie === "string" ? form.cookie : "";
    const verdict = await gate.attempt(given);
    if (verdict === "busy") {
      return signinPage(c, "Too many sign-ins at once: wait a second and try again.", 429);
    }
    if (verdict === "wrong") {
      return signinPage(
        c,
        "That is not this cluster's cookie. Check the node's --cookie (or MESHRPC_COOKIE, or ~/.meshrpc.cookie) and try again.",
        401,
      );
    }
    const { token } = await sessions.create();
    c.header("set-cookie", sessionCookie(token, cookieOptions));
    return c.redirect("/dashboard", 303);
  });

  // ---- everything else needs a session ----

  app.use("/dashboard/*", async (c, next) => {
    const token = sessionToken(c.req.header("cookie"));
    const session = await sessions.check(token);
    if (session === undefined || token === undefined) {
      const page = c.req.method === "GET" && !/^\/dashboard\/(stream|assets)\b/.test(c.req.path);
      if (page) return c.redirect("/dashboard/signin", 303);
      return c.text("Unauthorized: sign in at /dashboard/signin first\n", 401);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      if (!sameOrigin(c.req.raw)) return c.text(FORBIDDEN_ORIGIN + "\n", 403);
      const form = await c.req.parseBody();
      if (!sameToken(typeof form.csrf === "string" ? form.csrf : undefined, session.csrf)) {
        return c.text(FORBIDDEN_ORIGIN + "\n", 403);
      }
    }
    c.set("session", session);
    c.set("token", token);
    await next();
  });

  app.get("/dashboard/assets/app.js", (c) => c.body(SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));

  const overview = async (c: Context<Env>) => {
    const rows = await data.overview();
    return c.html(page({ title: "Cluster", self: o.self, nav: "overview", csrf: c.get("session").csrf, stream: "/dashboard/stream?view=overview" }, overviewBody(rows)));
  };
  app.get("/dashboard", overview);
  app.get("/dashboard/", overview);

  app.get("/dashboard/node/:node", async (c) => {
    const node = c.req.param("node");
    const csrf = c.get("session").csrf;
    if (!data.nodeList().some((n) => n.node === node)) {
      return c.html(page({ title: "Unknown node", self: o.self, csrf }, unknownNode(node)), 404);
    }
    const stream = `/dashboard/stream?view=node&node=${encodeURIComponent(node)}`;
    const nav = node === o.self ? "node" : undefined;
    return c.html(page({ title: node, self: o.self, nav, csrf, stream }, nodeBody(await data.details(node))));
  });

  app.get("/dashboard/stream", (c) => {
    const view = c.req.query("view");
    const node = c.req.query("node") ?? o.self;
    const token = c.get("token");
    if (view !== "overview" && view !== "node") return c.text("Give ?view=overview or ?view=node&node=NAME\n", 400);
    return liveStream(c, {
      intervalMs: interval,
      subscribe: o.onChange,
      state: async () => (o.stopping() ? "stopping" : (await sessions.check(token)) === undefined ? "signedout" : "live"),
      render: async () =>
        view === "overview"
          ? [{ id: "overview", html: overviewCards(await data.overview()).text }]
          : [{ id: "node", html: nodeSections(await data.details(node)).text }],
    });
  });

  app.get("/dashboard/call", async (c) => {
    const form: CallForm = {
      node: c.req.query("node") || o.self,
      module: c.req.query("module") ?? "",
      function: c.req.query("function") ?? "",
      args: "[]",
      timeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    };
    return c.html(await callPage(c, form));
  });

  app.post("/dashboard/call", async (c) => {
    const body = await c.req.parseBody();
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
    const timeout = Number(str("timeout") || DEFAULT_CALL_TIMEOUT_MS);
    const form: CallForm = {
      node: str("node") || o.self,
      module: str("module"),
      function: str("function"),
      args: str("args") || "[]",
      timeoutMs: Number.isFinite(timeout) && timeout >= 0 ? timeout : DEFAULT_CALL_TIMEOUT_MS,
    };
    const started = performance.now();
    const result = await runCall(form);
    return c.html(await callPage(c, form, result, performance.now() - started));
  });

  app.post("/dashboard/signout", (c) => {
    sessions.end(c.get("token"));
    c.header("set-cookie", sessionCookie(undefined, cookieOptions));
    return c.redirect("/dashboard/signin", 303);
  });

  app.all("/dashboard/*", (c) => c.text("Not found: the dashboard is at GET /dashboard\n", 404));

  async function callPage(c: Context<Env>, form: CallForm, result?: CallResult, elapsedMs?: number): Promise<string> {
    const nodes = data.nodeList().filter((n) => n.connected).map((n) => n.node);
    if (!nodes.includes(form.node)) nodes.push(form.node);
    const activity = await o.call(form.node, "system", "activity", [], 2000);
    const catalog = activity.kind === "ok" ? (activity.value as Record<string, Value>).modules : undefined;
    const modules = (catalog && typeof catalog === "object" ? catalog : {}) as Record<string, string[]>;
    const csrf = c.get("session").csrf;
    return page({ title: "Call", self: o.self, nav: "call", csrf }, callBody({ form, nodes, modules, csrf, result, elapsedMs }));
  }

  async function runCall(form: CallForm): Promise<CallResult> {
    if (!form.module || !form.function) return badarg("Give a module and a function (Person and say_hello, say)");
    let args: Value;
    try {
      args = decodeJson(form.args, o.limits);
    } catch (err) {
      return badarg(`The arguments are not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(args)) return badarg('Give the arguments as a JSON array, like ["hoge@localhost"] or []');
    return await o.call(form.node, form.module, form.function, args, form.timeoutMs);
  }

  return app;
}

function unknownNode(node: string): Html {
  return h`<h1>Unknown node</h1><div class="card"><p><span class="mono">${node}</span> is not a node this one has seen.
  Pick one from the <a href="/dashboard">overview</a>.</p></div>`;
}
