/**
 * The dashboard in a real headless Chromium (over the DevTools protocol,
 * see test/support/browser.ts) against a real three-node cluster: a Bun
 * node from source, the compiled binary and a Deno node. Signing in, the
 * overview, one node, the call form, and a node killed with SIGKILL turning
 * down on the open page. Every request the pages make must stay on
 * 127.0.0.1 and no page may log a console error. Screenshots of each page
 * go to test/screenshots/ (gitignored) for a person to look at.
 *
 * Without Chromium these tests skip with one line, unless
 * MESHRPC_REQUIRE_BROWSER=1 (CI sets it): then they fail.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Browser, chromiumPath } from "../support/browser.ts";
import { Cluster, FIXTURES, type NodeProc, ROOT, waitFor } from "../support/cluster.ts";

setDefaultTimeout(60_000);

const CHROMIUM = chromiumPath();
const REQUIRED = process.env.MESHRPC_REQUIRE_BROWSER === "1";
const SHOTS = join(ROOT, "test", "screenshots");
const MODULES = ["--modules", join(FIXTURES, "modules")];

if (!CHROMIUM && !REQUIRED) {
  console.log("dashboard browser tests skipped: no chromium; install it (apt-get install chromium) and run make test again");
}

describe.skipIf(!CHROMIUM && !REQUIRED)("the dashboard in a browser", () => {
  let cluster: Cluster;
  let browser: Browser;
  let a: NodeProc;
  let binary: NodeProc;
  let deno: NodeProc;
  let base: string;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("Chromium is required (MESHRPC_REQUIRE_BROWSER=1) but not installed: apt-get install chromium");
    mkdirSync(SHOTS, { recursive: true });
    cluster = new Cluster();
    a = await cluster.start("a@localhost", { flavor: "bun", args: MODULES });
    binary = await cluster.start("b@localhost", { flavor: "binary", args: [...MODULES, "--join", "a@localhost"] });
    deno = await cluster.start("c@localhost", { flavor: "deno", args: [...MODULES, "--join", "a@localhost"] });
    await waitFor("a to see b and c", async () => {
      const r = await cluster.rpc(a.port, { module: "node", function: "list", args: [] });
      return Array.isArray(r.body.ok) && r.body.ok.length === 2;
    }, 30_000);
    base = `http://127.0.0.1:${a.port}`;
    browser = await Browser.launch(CHROMIUM);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.cleanup();
  });

  const shot = (name: string) => browser.screenshot(join(SHOTS, `${name}.png`));
  const path = () => browser.evaluate<string>("location.pathname");

  test("asks for the cookie, refuses a wrong one with a message, and lets the right one in", async () => {
    await browser.goto(`${base}/dashboard`);
    expect(await path()).toBe("/dashboard/signin");
    await shot("signin");

    await browser.fill("#signin-cookie", "not-the-cookie");
    const started = Date.now();
    await browser.navigating(() => browser.click("#signin-submit"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await path()).toBe("/dashboard/signin");
    expect(await browser.evaluate("document.querySelector('#signin-problem').textContent")).toContain("not this cluster's cookie");
    await shot("signin-wrong");

    await browser.fill("#signin-cookie", cluster.cookie);
    await browser.navigating(() => browser.click("#signin-submit"));
    expect(await path()).toBe("/dashboard");
    // The session cookie is HttpOnly: the page's script cannot read it.
    expect(await browser.evaluate("document.cookie")).toBe("");
  });

  test("the compiled binary and the Deno node serve it too, behind their own sign-in", async () => {
    for (const node of [binary, deno]) {
      const page = await fetch(`http://127.0.0.1:${node.port}/dashboard`, { redirect: "manual" });
      expect([node.flavor, page.status, page.headers.get("location")]).toEqual([node.flavor, 303, "/dashboard/signin"]);
      const signin = await fetch(`http://127.0.0.1:${node.port}/dashboard/signin`);
      expect(await signin.text()).toContain(`<span class="mono">${node.name}</span>`);
      const css = await fetch(`http://127.0.0.1:${node.port}/dashboard/assets/style.css`);
      expect(css.headers.get("content-type")).toContain("text/css");
    }
  });

  test("the overview lists the three nodes with their runtimes", async () => {
    await browser.goto(`${base}/dashboard`);
    const cards = await browser.waitFor<{ node: string; state: string; runtime: string }[]>(
      "three answering nodes",
      `(() => {
        const cards = [...document.querySelectorAll("article.node")].map((c) => ({
          node: c.dataset.node, state: c.dataset.state, runtime: c.querySelector(".tags .pill")?.textContent ?? "",
        }));
        return cards.length === 3 && cards.every((c) => c.state === "up") ? cards : undefined;
      })()`,
    );
    expect(cards.map((c) => [c.node, c.runtime.split(" ")[0]])).toEqual([
      ["a@localhost", "bun"],
      ["b@localhost", "bun"],
      ["c@localhost", "deno"],
    ]);
    await browser.waitFor("the live stream", "document.querySelector('#live').classList.contains('on')");
    await shot("overview");
    await browser.resize(390, 844);
    await shot("overview-narrow");
    await browser.resize(1280, 900);
  });

  test("a node's page shows its system, calls, links, modules and events", async () => {
    await browser.goto(`${base}/dashboard/node/b%40localhost`);
    const headings = await browser.evaluate<string[]>("[...document.querySelectorAll('#node h2')].map((h) => h.textContent)");
    expect(headings).toEqual(["System", "Calls served", "Links", "Modules", "Events"]);
    expect(await browser.evaluate("document.querySelector('#node').textContent")).toContain("Person");
    await shot("node");
    await browser.resize(390, 844);
    await shot("node-narrow");
    await browser.colorScheme("dark");
    await shot("node-narrow-dark");
    await browser.colorScheme("light");
    await browser.resize(1280, 900);
  });

  test("the call form shows an answer, and undef for a function that does not exist", async () => {
    await browser.goto(`${base}/dashboard/call?node=c%40localhost`);
    await browser.fill("#call-module", "Person");
    await browser.fill("#call-function", "say_hello");
    await browser.fill("#call-args", '["hoge@localhost"]');
    await browser.navigating(() => browser.click("#call-run"));
    expect(await browser.evaluate("document.querySelector('.result').dataset.kind")).toBe("ok");
    expect(await browser.evaluate("document.querySelector('.result pre').textContent")).toBe('"Hello, Hoge! My name is C."');
    await shot("call-ok");

    await browser.fill("#call-function", "no_such_function");
    await browser.fill("#call-args", "[]");
    await browser.navigating(() => browser.click("#call-run"));
    expect(await browser.evaluate("document.querySelector('.result').dataset.kind")).toBe("undef");
    await shot("call-undef");
  });

  test("a node killed with SIGKILL turns down on the open page within 3 s, without a reload", async () => {
    await browser.goto(`${base}/dashboard`);
    await browser.waitFor("the live stream", "document.querySelector('#live').classList.contains('on')");
    await browser.evaluate("window.notReloaded = true");
    const killed = Date.now();
    deno.proc.kill("SIGKILL");
    await browser.waitFor(
      "c@localhost to show down",
      "document.querySelector('article[data-node=\"c@localhost\"]')?.dataset.state === 'down'",
      3000,
    );
    const downAfter = Date.now() - killed;
    console.log(`c@localhost showed down ${downAfter} ms after SIGKILL`);
    expect(downAfter).toBeLessThan(3000);
    expect(await browser.evaluate("window.notReloaded")).toBe(true);
    await shot("overview-down");
    // The README's picture (docs/dashboard.png is a copy of it).
    await browser.resize(1040, 440);
    await shot("overview-down-small");
    await browser.resize(1280, 900);
  });

  test("the node comes back on the open page when it returns", async () => {
    await cluster.start("c@localhost", { flavor: "deno", args: [...MODULES, "--join", "a@localhost"] });
    await browser.waitFor(
      "c@localhost to show up again",
      "document.querySelector('article[data-node=\"c@localhost\"]')?.dataset.state === 'up'",
      10_000,
    );
    expect(await browser.evaluate("window.notReloaded")).toBe(true);
  });

  test("no page made a request off 127.0.0.1 or logged a console error", () => {
    expect(browser.requests.length).toBeGreaterThan(10);
    expect(browser.foreignRequests).toEqual([]);
    // Chromium logs the 401 of the deliberately wrong cookie as a failed load: that one is expected.
    const wrongCookie = /status of 401 .*\/dashboard\/signin$/;
    expect(browser.consoleErrors.filter((e) => !wrongCookie.test(e))).toEqual([]);
    expect(browser.consoleErrors.filter((e) => wrongCookie.test(e)).length).toBeLessThanOrEqual(1);
  });
});
