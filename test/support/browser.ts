/**
 * A headless Chromium driven over the DevTools protocol, for the dashboard's
 * browser tests: no npm package, just a WebSocket. Every request the page
 * makes is intercepted: those to 127.0.0.1 go on, any other is failed and
 * remembered (`foreignRequests`), so a test can assert that nothing left
 * the machine. Console errors and uncaught exceptions are collected
 * (`consoleErrors`). `close()` kills the browser and its helper processes
 * by pid, and removes its profile.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { descendantsOf } from "./proc.ts";

/** The Chromium binary on this machine, or undefined (the browser tests then skip). */
export function chromiumPath(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const path = Bun.which(name);
    if (path) return path;
  }
  return undefined;
}

// deno-lint-ignore no-explicit-any -- DevTools messages are untyped JSON
type Json = any;

export class Browser {
  readonly foreignRequests: string[] = [];
  readonly consoleErrors: string[] = [];
  readonly requests: string[] = [];
  #proc: Subprocess;
  #ws: WebSocket;
  #dir: string;
  #session = "";
  #nextId = 1;
  #waiting = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  #listeners = new Set<(method: string, params: Json) => void>();

  private constructor(proc: Subprocess, ws: WebSocket, dir: string) {
    this.#proc = proc;
    this.#ws = ws;
    this.#dir = dir;
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.id !== undefined) {
        const w = this.#waiting.get(msg.id);
        this.#waiting.delete(msg.id);
        if (msg.error) w?.reject(new Error(`DevTools: ${msg.error.message}`));
        else w?.resolve(msg.result);
      } else {
        for (const l of [...this.#listeners]) l(msg.method, msg.params);
      }
    };
  }

  /** Starts Chromium with a fresh profile and opens one page of `width` × `height`. */
  static async launch(binary: string, width = 1280, height = 900): Promise<Browser> {
    const dir = mkdtempSync(join(tmpdir(), "mrpc-chrome-"));
    const proc = Bun.spawn([
      binary,
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--hide-scrollbars",
      "--remote-debugging-port=0",
      `--user-data-dir=${dir}`,
      "about:blank",
      // Chromium puts its singleton socket in a directory of its own under TMPDIR: in ours, removed with it.
    ], { stdout: "ignore", stderr: "pipe", env: { ...process.env, TMPDIR: dir } });
    let text = "";
    const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!url) {
      const { value, done } = await Promise.race([
        reader.read(),
        Bun.sleep(Math.max(0, deadline - Date.now())).then(() => ({ value: undefined, done: true })),
      ]);
      if (done) {
        proc.kill("SIGKILL");
        throw new Error(`Chromium did not start: ${text}`);
      }
      text += decoder.decode(value, { stream: true });
      url = /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1];
    }
    // Keep draining stderr so Chromium never blocks on a full pipe.
    void (async () => {
      while (!(await reader.read()).done);
    })().catch(() => {});
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`Cannot connect to Chromium at ${url}`));
    });
    const browser = new Browser(proc, ws, dir);
    await browser.#open(width, height);
    return browser;
  }

  #send(method: string, params: Json = {}, session: string | undefined = this.#session): Promise<Json> {
    const id = this.#nextId++;
    const message: Json = { id, method, params };
    if (session) message.sessionId = session;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify(message));
    });
  }

  /** Waits for the next event `method` whose params satisfy `match`. */
  #event(method: string, timeoutMs: number, match: (p: Json) => boolean = () => true): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${method}`));
      }, timeoutMs);
      const listener = (m: string, p: Json) => {
        if (m !== method || !match(p)) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(p);
      };
      this.#listeners.add(listener);
    });
  }

  async #open(width: number, height: number): Promise<void> {
    const { targetId } = await this.#send("Target.createTarget", { url: "about:blank" }, "");
    const { sessionId } = await this.#send("Target.attachToTarget", { targetId, flatten: true }, "");
    this.#session = sessionId;
    this.#listeners.add((method, p) => {
      if (method === "Fetch.requestPaused") {
        const url = new URL(p.request.url);
        this.requests.push(p.request.url);
        if (url.hostname === "127.0.0.1") void this.#send("Fetch.continueRequest", { requestId: p.requestId });
        else {
          this.foreignRequests.push(p.request.url);
          void this.#send("Fetch.failRequest", { requestId: p.requestId, errorReason: "BlockedByClient" });
        }
      } else if (method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
        this.consoleErrors.push(p.args.map((a: Json) => a.value ?? a.description).join(" "));
      } else if (method === "Runtime.exceptionThrown") {
        this.consoleErrors.push(p.exceptionDetails.exception?.description ?? p.exceptionDetails.text);
      } else if (method === "Log.entryAdded" && p.entry.level === "error") {
        this.consoleErrors.push(`${p.entry.source}: ${p.entry.text} ${p.entry.url ?? ""}`);
      }
    });
    await this.#send("Fetch.enable", { patterns: [{ urlPattern: "*" }] });
    await this.#send("Page.enable");
    await this.#send("Runtime.enable");
    await this.#send("Log.enable");
    await this.resize(width, height);
  }

  /** The viewport's size (a narrow one shows the phone layout). */
  async resize(width: number, height: number): Promise<void> {
    await this.#send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** Emulates the system's light or dark color scheme. */
  async colorScheme(value: "light" | "dark"): Promise<void> {
    await this.#send("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value }] });
  }

  /** Loads `url` and waits for its load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.#event("Page.loadEventFired", 15_000);
    await this.#send("Page.navigate", { url });
    await loaded;
  }

  /** Runs `action` (a click that submits a form, say) and waits for the next page's load event. */
  async navigating(action: () => Promise<unknown>): Promise<void> {
    const loaded = this.#event("Page.loadEventFired", 15_000);
    await action();
    await loaded;
  }

  /** The value of a JavaScript expression in the page (awaited). Throws what the page throws. */
  async evaluate<T = Json>(expression: string): Promise<T> {
    const r = await this.#send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`In the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Polls `expression` until it is truthy; throws after `ms`. */
  async waitFor<T = Json>(what: string, expression: string, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await this.evaluate<T>(expression);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
      await Bun.sleep(50);
    }
  }

  /** Sets an input's value as typing would (the page's input listeners run). */
  async fill(selector: string, value: string): Promise<void> {
    await this.evaluate(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) throw new Error("no element " + ${JSON.stringify(selector)});
      el.value = ${JSON.stringify(value)};
      el.dispatchEvent(new Event("input", { bubbles: true }));
    })()`);
  }

  /** Clicks an element (the way a person would, so a submit button submits its form). */
  async click(selector: string): Promise<void> {
    await this.evaluate(`document.querySelector(${JSON.stringify(selector)}).click()`);
  }

  /** Saves a PNG of the whole page. */
  async screenshot(path: string): Promise<void> {
    const { data } = await this.#send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    writeFileSync(path, Buffer.from(data, "base64"));
  }

  /**
   * Kills the browser and its helpers (zygote, renderer, GPU and network
   * processes: its descendants), by pid, and removes its profile. A helper
   * killed a moment after the browser could still write into the profile
   * while it is being removed, so the removal is repeated until it holds.
   */
  async close(): Promise<void> {
    try {
      this.#ws.close();
    } catch {
      // Already closed.
    }
    for (const pid of [this.#proc.pid, ...descendantsOf(this.#proc.pid)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await this.#proc.exited;
    for (let attempt = 0; attempt < 20 && existsSync(this.#dir); attempt++) {
      try {
        rmSync(this.#dir, { recursive: true, force: true });
      } catch {
        // A file appeared while the directory was being emptied: the next attempt gets it.
      }
      if (existsSync(this.#dir)) await Bun.sleep(100);
    }
  }
}
