/**
 * The Erlang port mapper client (lib/erlang/epmd.ts) against the real epmd
 * (started in the foreground on a free port, stopped by pid) and against the
 * embedded server, and real `erl` nodes finding names through both.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { EpmdError, epmdPortFromEnv, listNames, lookupNode, registerNode, type Registration } from "../../lib/erlang/epmd.ts";
import { ensureEpmd } from "../../lib/erlang/epmd_ensure.ts";
import { holdRegistration } from "../../lib/erlang/epmd_hold.ts";
import { type EpmdServer, serveEpmd } from "../../lib/erlang/epmd_server.ts";
import { loadRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { freePort, waitFor } from "../support/cluster.ts";
import { hasErlang, runAsync, runErlangAsync, skipNote } from "../support/erlang.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const ERL = hasErlang();
if (!ERL) skipNote("the real-epmd tests of test/integration/erlang_epmd.test.ts");

let rt: Runtime;
const registrations: Registration[] = [];
const servers: EpmdServer[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  rt = await loadRuntime();
});

afterEach(async () => {
  for (const r of registrations.splice(0)) r.close();
  for (const s of servers.splice(0)) await s.close();
});

afterAll(() => {
  for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(c.pid, "SIGKILL");
});

const at = (port: number) => ({ host: "127.0.0.1", port });

async function register(port: number, name: string, dist: number, hidden = false): Promise<Registration> {
  const r = await registerNode(rt, at(port), { name, port: dist, hidden, retryMs: 300 });
  registrations.push(r);
  return r;
}

/** The port mapper behaviour both epmds must share. */
function sharedBehaviour(start: () => Promise<number>) {
  test("a registered name is found with its port and type, and listed", async () => {
    const port = await start();
    const reg = await register(port, "ts", 40001);
    expect(reg.creation).toBeGreaterThan(0);
    await register(port, "hid", 40002, true);
    const entry = await lookupNode(rt, at(port), "ts");
    expect(entry).toMatchObject({ name: "ts", port: 40001, type: "normal", protocol: 0, highestVersion: 6, lowestVersion: 6 });
    expect((await lookupNode(rt, at(port), "hid"))?.type).toBe("hidden");
    const names = await listNames(rt, at(port));
    expect(names).toContainEqual({ name: "ts", port: 40001 });
    expect(names).toContainEqual({ name: "hid", port: 40002 });
  });

  test("an unknown name is undefined; a closed registration is forgotten", async () => {
    const port = await start();
    expect(await lookupNode(rt, at(port), "nobody")).toBeUndefined();
    const reg = await register(port, "gone", 40003);
    reg.close();
    await waitFor("epmd to forget gone", async () => (await lookupNode(rt, at(port), "gone")) === undefined);
  });

  test("a taken name is refused after the retry time, saying so", async () => {
    const port = await start();
    await register(port, "dup", 40004);
    const err = await register(port, "dup", 40005).catch((e) => e);
    expect(err).toBeInstanceOf(EpmdError);
    expect(err.message).toContain('refuses the name "dup"');
  });
}

describe("the embedded epmd", () => {
  sharedBehaviour(async () => {
    const server = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
    servers.push(server);
    return server.port;
  });

  test("a registration learns when the port mapper goes away", async () => {
    const server = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
    const reg = await register(server.port, "ts", 40006);
    await server.close();
    await reg.lost;
  });

  test("a held registration comes back when epmd restarts, keeping its first creation", async () => {
    const first = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
    const port = first.port;
    const events: string[] = [];
    const held = await holdRegistration(rt, at(port), {
      name: "ts",
      port: 40008,
      retryEveryMs: 50,
      onChange: (e) => events.push(e.kind),
    });
    try {
      await first.close();
      await waitFor("the loss to be seen", () => !held.registered);
      const second = await serveEpmd(rt, { hostname: "127.0.0.1", port });
      servers.push(second);
      await waitFor("ts to be registered again", async () => (await lookupNode(rt, at(port), "ts"))?.port === 40008);
      expect(held.registered).toBe(true);
      expect(events[0]).toBe("lost");
      expect(events.at(-1)).toBe("restored");
      const creation = held.creation;
      held.close();
      expect(held.creation).toBe(creation);
      await waitFor("ts to be gone", async () => (await lookupNode(rt, at(port), "ts")) === undefined);
    } finally {
      held.close();
    }
  });

  test("no epmd is an EpmdError that says how to start one", async () => {
    const err = await lookupNode(rt, at(await freePort()), "x").catch((e) => e);
    expect(err).toBeInstanceOf(EpmdError);
    expect(err.message).toContain("epmd -daemon");
  });

  test("ERL_EPMD_PORT moves the port; garbage in it is refused", () => {
    expect(epmdPortFromEnv(() => undefined)).toBe(4369);
    expect(epmdPortFromEnv(() => "14369")).toBe(14369);
    expect(() => epmdPortFromEnv(() => "x")).toThrow("ERL_EPMD_PORT must be a port number");
  });

  test("ensureEpmd serves the embedded one when epmd is not installed, and uses one that answers", async () => {
    const port = await freePort();
    const noEpmd = Object.create(rt, { env: { value: (n: string) => (n === "PATH" ? "/nonexistent" : rt.env(n)) } });
    const source = await ensureEpmd(noEpmd, port, { logFile: "/dev/null", hostname: "127.0.0.1" });
    expect(source.kind).toBe("embedded");
    if (source.kind === "embedded") servers.push(source.server);
    expect((await ensureEpmd(noEpmd, port, { logFile: "/dev/null" })).kind).toBe("running");
  });

  test("under Deno too (client, server and TCP)", async () => {
    const server = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
    servers.push(server);
    const out = await runAsync(`${ROOT}node_modules/.bin/deno`, [
      "run",
      "-A",
      `${ROOT}test/support/erlang_epmd_deno.ts`,
      String(server.port),
      "40007",
    ]);
    expect(JSON.parse(out)).toEqual({
      runtime: "deno",
      embedded: 40007,
      embeddedNames: [{ name: "dn", port: 40007 }],
      real: 40007,
      creations: true,
    });
  }, 30_000);
});

/** Runs `epmd -port P` in the foreground as our child; stopped by pid in afterAll. */
async function realEpmd(): Promise<number> {
  const port = await freePort();
  const child = spawn("epmd", ["-port", String(port)], { stdio: "ignore" });
  children.push(child);
  await waitFor("epmd to answer", () => listNames(rt, at(port)).then(() => true, () => false));
  return port;
}

describe.skipIf(!ERL)("the real epmd", () => {
  sharedBehaviour(realEpmd);

  test("ensureEpmd starts `epmd -daemon` on a free port when epmd is installed", async () => {
    const port = await freePort();
    const logFile = `/tmp/meshrpc-erlang-epmd-${rt.pid}.log`;
    const source = await ensureEpmd(rt, port, { logFile });
    try {
      expect(source.kind).toBe("started");
      const reg = await registerNode(rt, at(port), { name: "tsd", port: 40012 });
      expect((await lookupNode(rt, at(port), "tsd"))?.port).toBe(40012);
      reg.close();
    } finally {
      // The daemon detached from us: KILL_REQ on its own port stops exactly that one, once no node is registered.
      await waitFor("epmd to forget tsd", async () => (await listNames(rt, at(port))).length === 0);
      await runAsync("epmd", ["-port", String(port), "-kill"]);
      await rt.remove(logFile);
    }
  });

  test("erl finds a name registered by us", async () => {
    const port = await realEpmd();
    await register(port, "tsx", 40010);
    const out = await runErlangAsync(`io:format("~p~n", [erl_epmd:port_please("tsx", "127.0.0.1")])`, {
      ERL_EPMD_PORT: String(port),
    });
    expect(out.trim()).toBe("{port,40010,6}");
  });
});

describe.skipIf(!ERL)("real Erlang with the embedded epmd", () => {
  test("an erl node registers with it, and epmd -names and net_adm:names() list it", async () => {
    const server = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
    servers.push(server);
    const env = { ...process.env, ERL_EPMD_PORT: String(server.port), ERL_CRASH_DUMP_SECONDS: "0" };
    const node = spawn("erl", ["-sname", "exn", "-noshell", "-setcookie", "c"], { env, stdio: "ignore" });
    children.push(node);
    const entry = await waitFor("exn to register", () => lookupNode(rt, at(server.port), "exn"));
    expect(entry).toMatchObject({ name: "exn", type: "normal", highestVersion: 6 });
    const names = await runAsync("epmd", ["-port", String(server.port), "-names"]);
    expect(names).toContain(`name exn at port ${entry.port}`);
    await register(server.port, "tsy", 40011);
    const listed = await runErlangAsync(`{ok, L} = net_adm:names("127.0.0.1"), io:format("~p~n", [lists:sort(L)])`, {
      ERL_EPMD_PORT: String(server.port),
    });
    expect(listed.replace(/\s+/g, "")).toBe(`[{"exn",${entry.port}},{"tsy",40011}]`);
    process.kill(node.pid!, "SIGKILL");
    await waitFor("exn to be forgotten", async () => (await lookupNode(rt, at(server.port), "exn")) === undefined);
  }, 30_000);
});
