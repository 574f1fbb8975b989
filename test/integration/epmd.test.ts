import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  ensureEpmd,
  type EpmdServer,
  listNames,
  lookupPort,
  probeEpmd,
  registerName,
  type Registration,
  startEpmd,
} from "../../lib/epmd/mod.ts";
import { EpmdError } from "../../lib/epmd/errors.ts";
import { loadRuntime, type Runtime, type Transport } from "../../lib/runtime/mod.ts";
import { rawWebSocket } from "../support/raw_ws.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const BUN = `${ROOT}node_modules/.bin/bun`;
const DENO = `${ROOT}node_modules/.bin/deno`;

let rt: Runtime;
/** This file's temporary directory, and the prefix of the files the tests put in it. */
let dir: string;
let tmp: string;
const servers: EpmdServer[] = [];
const registrations: Registration[] = [];
const transports: Transport[] = [];
const pids: number[] = [];

beforeAll(async () => {
  rt = await loadRuntime();
  dir = mkdtempSync(join(tmpdir(), "meshrpc-epmd-test-"));
  tmp = join(dir, "epmd");
});

afterEach(async () => {
  for (const r of registrations.splice(0)) await r.close();
  for (const t of transports.splice(0)) t.close();
  for (const s of servers.splice(0)) await s.stop();
  for (const pid of pids.splice(0)) rt.kill(pid, "SIGKILL");
});

// After every mapper has stopped: a stopping mapper writes its state file once more.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mapper(port = 0): Promise<EpmdServer> {
  const s = await startEpmd(rt, { hostname: "127.0.0.1", port });
  servers.push(s);
  return s;
}

async function register(epmdPort: number, name: string, port: number): Promise<Registration> {
  const r = await registerName(rt, { epmdPort, name, port, timeoutMs: 2000 });
  registrations.push(r);
  return r;
}

/** A port that nothing listens on (a mapper bound it, then stopped). */
async function freePort(): Promise<number> {
  const s = await startEpmd(rt, { hostname: "127.0.0.1", port: 0 });
  await s.stop();
  return s.port;
}

async function rejection(p: Promise<unknown>): Promise<EpmdError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof EpmdError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `file` holds a line starting with `prefix`; returns that line. */
async function lineIn(file: string, prefix: string, timeoutMs = 10_000): Promise<string> {
  let found = "";
  await waitFor(`"${prefix}" in ${file}`, async () => {
    const text = (await rt.stat(file)) ? await rt.readTextFile(file) : "";
    found = text.split("\n").find((l) => l.startsWith(prefix)) ?? "";
    if (text.startsWith("failed")) throw new Error(text);
    return found !== "";
  }, timeoutMs);
  return found;
}

/** Opens a raw registration socket and collects what the mapper says. */
async function rawRegister(epmdPort: number, query: string) {
  const t = await rt.dial(`ws://127.0.0.1:${epmdPort}/register?${query}`, { timeoutMs: 1000 });
  transports.push(t);
  const messages: { kind: string; [k: string]: unknown }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    t.listen({
      message: (d) => messages.push(JSON.parse(new TextDecoder().decode(d))),
      close: (code, reason) => resolve({ code, reason }),
    });
  });
  t.send(new TextEncoder().encode(JSON.stringify({ kind: "register" })));
  return { t, messages, closed };
}

describe("a port mapper", () => {
  test("lists and looks up a registered node", async () => {
    const m = await mapper();
    await register(m.port, "hoge", 4001);
    await register(m.port, "fuga", 4002);
    expect(await listNames({ host: "127.0.0.1", epmdPort: m.port })).toEqual([
      { name: "fuga", port: 4002 },
      { name: "hoge", port: 4001 },
    ]);
    expect(await lookupPort({ host: "localhost", epmdPort: m.port, name: "hoge" })).toBe(4001);
  });

  test("refuses a second registration of a name and says which port holds it", async () => {
    const m = await mapper();
    await register(m.port, "hoge", 4001);
    const err = await rejection(register(m.port, "hoge", 4002));
    expect(err.reason).toBe("refused");
    expect(err.message).toContain(
      "name hoge is already registered by port 4001: stop that node or pick another name",
    );
    expect(await lookupPort({ host: "127.0.0.1", epmdPort: m.port, name: "hoge" })).toBe(4001);
  });

  test("ends a refused registration with close code 4001 after a refused message", async () => {
    const m = await mapper();
    await register(m.port, "hoge", 4001);
    const raw = await rawRegister(m.port, "name=hoge&port=4002");
    expect((await raw.closed).code).toBe(4001);
    expect(raw.messages).toEqual([
      { kind: "refused", code: 4001, message: expect.stringContaining("already registered by port 4001") },
    ]);
  });

  test("refuses a malformed name with close code 4000", async () => {
    const m = await mapper();
    const raw = await rawRegister(m.port, "name=bad%20name&port=4001");
    expect((await raw.closed).code).toBe(4000);
    expect(String(raw.messages[0]?.message)).toContain('invalid name "bad name"');
  });

  test("drops a name as soon as its registration is closed", async () => {
    const m = await mapper();
    const r = await registerName(rt, { epmdPort: m.port, name: "hoge", port: 4001 });
    await r.close();
    const err = await rejection(lookupPort({ host: "127.0.0.1", epmdPort: m.port, name: "hoge" }));
    expect(err.reason).toBe("unknown");
    expect(err.message).toBe("no node named hoge on 127.0.0.1 (meshrpc names 127.0.0.1 lists them)");
    await register(m.port, "hoge", 4005);
    expect(await lookupPort({ host: "127.0.0.1", epmdPort: m.port, name: "hoge" })).toBe(4005);
  });

  test("drops a name whose socket closes without unregistering", async () => {
    const m = await mapper();
    const raw = await rawRegister(m.port, "name=hoge&port=4001");
    await waitFor("registered", () => raw.messages.length > 0);
    expect(raw.messages[0]).toEqual({ kind: "registered", name: "hoge", port: 4001, token: expect.any(String) });
    expect(m.registry.size).toBe(1);
    raw.t.close();
    await waitFor("the name to go", () => m.registry.size === 0, 1000);
  });

  for (const [runtime, argv] of [["bun", [BUN, "run"]], ["deno", [DENO, "run", "-A"]]] as const) {
    test(`drops the name of a ${runtime} node killed with SIGKILL at once`, async () => {
      const m = await mapper();
      const log = `${tmp}-holder-${runtime}.log`;
      const holder = `${ROOT}test/support/epmd_holder.ts`;
      const child = rt.spawnDetached([...argv, holder, String(m.port), "doomed", "4009"], { logFile: log });
      pids.push(child.pid);
      await lineIn(log, "registered doomed", 20_000);
      expect(await lookupPort({ host: "127.0.0.1", epmdPort: m.port, name: "doomed" })).toBe(4009);
      expect(m.registry.get("doomed")?.runtime).toBe(runtime);
      rt.kill(child.pid, "SIGKILL");
      await child.exited;
      await waitFor("the dead node's name to go", () => m.registry.size === 0, 1000);
    });
  }

  test("keeps a registration whose heartbeats are the only traffic", async () => {
    const m = await mapper();
    const r = await registerName(rt, { epmdPort: m.port, name: "hoge", port: 4001, heartbeatMs: 10 });
    registrations.push(r);
    let lost = "";
    r.onLost((why) => (lost = why));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lost).toBe("");
    expect(await lookupPort({ host: "127.0.0.1", epmdPort: m.port, name: "hoge" })).toBe(4001);
  });

  test("tells a registration that it is lost when the mapper stops", async () => {
    const m = await mapper();
    const r = await register(m.port, "hoge", 4001);
    const lost = new Promise<string>((resolve) => r.onLost(resolve));
    await m.stop();
    expect(await lost).toBe("the port mapper stopped");
  });

  test("gives a name back after a restart to the node with its token, and refuses it to others meanwhile", async () => {
    const stateFile = `${tmp}-restart.state`;
    const first = await startEpmd(rt, { hostname: "127.0.0.1", port: 0, stateFile });
    servers.push(first);
    const r = await registerName(rt, { epmdPort: first.port, name: "hoge", port: 4001 });
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const lost = new Promise<string>((resolve) => r.onLost(resolve));
    await first.stop();
    await lost;
    const second = await startEpmd(rt, { hostname: "127.0.0.1", port: first.port, stateFile, reserveMs: 5000 });
    servers.push(second);
    const squat = await rejection(register(second.port, "hoge", 9));
    expect(squat.reason).toBe("refused");
    expect(squat.message).toContain("reserved for the node that held it before the port mapper restarted, for 5 s more");
    const forged = await rejection(registerName(rt, { epmdPort: second.port, name: "hoge", port: 9, token: "x".repeat(22) }));
    expect(forged.reason).toBe("refused");
    const back = await registerName(rt, { epmdPort: second.port, name: "hoge", port: 4001, token: r.token });
    registrations.push(back);
    expect(back.token).toBe(r.token);
    expect(await lookupPort({ host: "127.0.0.1", epmdPort: second.port, name: "hoge" })).toBe(4001);
    // Other names were never held: anyone may take them.
    await register(second.port, "fuga", 4002);
  });

  test("does not keep a name after a restart for a holder that no longer runs", async () => {
    const stateFile = `${tmp}-dead.state`;
    const names = [{ name: "gone", token: "g".repeat(22), pid: 999_999_999 }, { name: "kept", token: "k".repeat(22) }];
    await rt.writeTextFile(stateFile, JSON.stringify({ service: "meshrpc-epmd", names }), { mode: 0o600 });
    const m = await startEpmd(rt, { hostname: "127.0.0.1", port: 0, stateFile });
    servers.push(m);
    await register(m.port, "gone", 4001);
    expect((await rejection(register(m.port, "kept", 4002))).message).toContain("is reserved for the node");
  });

  test("closes a registration socket that sends a message over 4 KiB, before it registers", async () => {
    const m = await mapper();
    const ws = await rawWebSocket(m.port, { path: "/register?name=hoge&port=4001" });
    expect(ws.status).toBe(101);
    ws.send(new Uint8Array(5000));
    await ws.closed;
    expect(m.registry.size).toBe(0);
  });

  test("tells a node whose registration socket it refused (too many waiting) to try again", async () => {
    const m = await startEpmd(rt, { hostname: "127.0.0.1", port: 0, pending: { maxTotal: 1, maxPerSource: 1 } });
    servers.push(m);
    const silent = await rawWebSocket(m.port, { path: "/register?name=x&port=1" });
    try {
      expect(silent.status).toBe(101);
      const err = await rejection(registerName(rt, { epmdPort: m.port, name: "hoge", port: 4001, timeoutMs: 2000 }));
      expect(err.reason).toBe("unreachable");
      expect(err.message).toBe(
        `the port mapper on 127.0.0.1:${m.port} refused the registration socket of hoge ` +
          "(it takes a few at a time, from this host only): try again in a moment",
      );
    } finally {
      silent.end();
    }
    await waitFor("the place to be free", async () => {
      try {
        await register(m.port, "hoge", 4001);
        return true;
      } catch {
        return false;
      }
    });
  });

  test("refuses to start on a port that another mapper holds", async () => {
    const m = await mapper();
    const err = await rejection(startEpmd(rt, { hostname: "127.0.0.1", port: m.port }));
    expect(err.reason).toBe("in_use");
    expect(err.message).toContain(`port ${m.port} on 127.0.0.1 is already in use`);
  });
});

describe("port mapper clients", () => {
  test("reject a lookup quickly as unreachable when no mapper listens", async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await rejection(lookupPort({ host: "127.0.0.1", epmdPort: port, name: "hoge", timeoutMs: 5000 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.reason).toBe("unreachable");
    expect(err.message).toContain(`no port mapper answers on 127.0.0.1:${port}`);
    expect(err.message).toContain("name@host:port");
  });

  test("reject listing names as unreachable when no mapper listens", async () => {
    const port = await freePort();
    expect((await rejection(listNames({ host: "127.0.0.1", epmdPort: port }))).reason).toBe("unreachable");
  });

  test("reject a registration as unreachable and say how to start a mapper", async () => {
    const port = await freePort();
    const err = await rejection(registerName(rt, { epmdPort: port, name: "hoge", port: 4001, timeoutMs: 2000 }));
    expect(err.reason).toBe("unreachable");
    expect(err.message).toBe(
      `no port mapper on 127.0.0.1:${port}: start one with \`meshrpc epmd\` (a starting node starts one itself)`,
    );
  });

  test("reject a registration as timeout when the peer accepts but never confirms", async () => {
    const mute = await rt.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(""),
      upgrade: () => () => {},
    });
    try {
      const started = Date.now();
      const err = await rejection(registerName(rt, { epmdPort: mute.port, name: "hoge", port: 4001, timeoutMs: 300 }));
      expect(err.reason).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(1000);
      expect(err.message).toContain("did not confirm registering hoge within 300 ms");
    } finally {
      await mute.stop();
    }
  });

  test("reject a registration of a name with an @ before dialing", () => {
    expect(() => registerName(rt, { epmdPort: 1, name: "hoge@localhost", port: 4001 })).toThrow(RangeError);
  });
});

describe("ensureEpmd", () => {
  test("does not spawn when a mapper already answers", async () => {
    const m = await mapper();
    let spawned = 0;
    const got = await ensureEpmd({
      epmdPort: m.port,
      spawn: () => {
        spawned++;
        return { pid: -1, exited: new Promise(() => {}) };
      },
    });
    expect(got).toEqual({ started: false, pid: rt.pid });
    expect(spawned).toBe(0);
  });

  test("spawns a mapper when none answers and waits until it does", async () => {
    const port = await freePort();
    const got = await ensureEpmd({
      epmdPort: port,
      timeoutMs: 3000,
      spawn: () => {
        // Like a real child: it takes a moment before it listens.
        setTimeout(() => void mapper(port), 100);
        return { pid: rt.pid, exited: new Promise(() => {}) };
      },
    });
    expect(got).toEqual({ started: true, pid: rt.pid });
    expect((await probeEpmd({ epmdPort: port })).kind).toBe("up");
  });

  test("lets two nodes that spawn at once both find the one mapper that won", async () => {
    const port = await freePort();
    const spawn = () => {
      const exited = (async () => {
        await new Promise((r) => setTimeout(r, 50));
        try {
          await mapper(port);
          return new Promise<number>(() => {});
        } catch {
          return 1;
        }
      })();
      return { pid: 999_999, exited };
    };
    const [a, b] = await Promise.all([
      ensureEpmd({ epmdPort: port, spawn, timeoutMs: 3000 }),
      ensureEpmd({ epmdPort: port, spawn, timeoutMs: 3000 }),
    ]);
    expect(a.pid).toBe(rt.pid);
    expect(b.pid).toBe(rt.pid);
    expect(servers.length).toBe(1);
  });

  test("gives up soon after the spawned mapper exits, naming its log", async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await rejection(
      ensureEpmd({
        epmdPort: port,
        timeoutMs: 10_000,
        logFile: "/tmp/epmd.log",
        spawn: () => ({ pid: 12345, exited: Promise.resolve(1) }),
      }),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.reason).toBe("timeout");
    expect(err.message).toContain("exited with code 1: see /tmp/epmd.log");
  });

  test("refuses a port held by something that is not a port mapper", async () => {
    const other = await rt.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hello") });
    try {
      const err = await rejection(
        ensureEpmd({ epmdPort: other.port, spawn: () => ({ pid: 1, exited: new Promise(() => {}) }) }),
      );
      expect(err.reason).toBe("in_use");
      expect(err.message).toContain("is not a meshrpc port mapper");
    } finally {
      await other.stop();
    }
  });
});

describe("a port mapper under Deno", () => {
  let pid = 0;
  let port = 0;

  beforeAll(async () => {
    const log = `${tmp}-deno-epmd.log`;
    const child = rt.spawnDetached([DENO, "run", "-A", `${ROOT}test/support/epmd_deno.ts`, "0"], { logFile: log });
    pid = child.pid;
    port = Number((await lineIn(log, "epmd listening ", 20_000)).split(" ")[2]);
  });

  afterAll(() => {
    if (pid) rt.kill(pid, "SIGKILL");
  });

  test("registers a Bun node, lists it, and drops it when it closes", async () => {
    expect((await probeEpmd({ epmdPort: port })).kind === "up").toBe(true);
    const r = await register(port, "bunny", 4321);
    expect(await listNames({ host: "127.0.0.1", epmdPort: port })).toEqual([{ name: "bunny", port: 4321 }]);
    const dup = await rejection(register(port, "bunny", 4322));
    expect(dup.message).toContain("already registered by port 4321");
    await r.close();
    expect((await rejection(lookupPort({ host: "127.0.0.1", epmdPort: port, name: "bunny" }))).reason).toBe(
      "unknown",
    );
  });

  test("closes a registration socket that sends a message over 4 KiB", async () => {
    const ws = await rawWebSocket(port, { path: "/register?name=hoge&port=4001" });
    expect(ws.status).toBe(101);
    // Deno closes once the message is whole, and then waits for our close frame: look for its own.
    let closeCode = 0;
    ws.socket.on("data", (d: Buffer) => {
      const at = d.indexOf(0x88);
      if (at >= 0 && d.length >= at + 4) closeCode = d.readUInt16BE(at + 2);
    });
    ws.send(new Uint8Array(5000));
    await waitFor("a close frame", () => closeCode !== 0 || ws.isClosed(), 3000);
    const closedByServer = ws.isClosed();
    ws.end();
    if (!closedByServer) expect(closeCode).toBe(1009);
    const r = await register(port, "hoge", 4001);
    await r.close();
  });

  test("reports the Deno runtime and its pid on /health", async () => {
    const probe = await probeEpmd({ epmdPort: port });
    expect(probe.kind === "up" && probe.health.runtime).toBe("deno");
    expect(probe.kind === "up" && probe.health.pid).toBe(pid);
  });
});
