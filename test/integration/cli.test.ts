/**
 * The `meshrpc` command as a user runs it: usage and errors, picking a
 * daemon, output formats, loading modules, monitoring, detaching, cookies,
 * logs, metrics and the port mapper a node starts for itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, type Flavor, freePort, type NodeProc, programOf, type RunResult, waitFor } from "../support/cluster.ts";
import { statFields } from "../support/proc.ts";

setDefaultTimeout(60_000);

/**
 * Whether a process still runs. A detached node that exited stays a zombie
 * until init reaps it (slowly, in some containers): that counts as gone.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return statFields(pid)[0] !== "Z";
  } catch {
    return true;
  }
}

/** What `start --detach` printed: started NAME, port, socket, pid, log. */
interface Detached {
  node: string;
  port: number;
  socket: string;
  pid: number;
  log: string;
}

function parseDetached(stdout: string): Detached {
  const field = (key: string) => new RegExp(`^${key} (.+)$`, "m").exec(stdout)?.[1];
  return {
    node: field("started") ?? "",
    port: Number(field("port")),
    socket: field("socket") ?? "",
    pid: Number(field("pid")),
    log: field("log") ?? "",
  };
}

/** `start --detach`; the node's pid is tracked so that cleanup stops it even when the test fails. */
async function detach(cluster: Cluster, args: string[], options: { flavor?: Flavor; env?: Record<string, string> } = {}) {
  const r = await cluster.cli(["start", "--listen", "127.0.0.1", "--detach", ...args], options);
  const d = parseDetached(r.stdout);
  if (d.pid > 0) cluster.track(d.pid);
  return { r, d };
}

/** The value of one `meshrpc_calls_total` series. */
function callsTotal(metrics: string, node: string, direction: "served" | "made", kind: string): number {
  const m = new RegExp(`^meshrpc_calls_total\\{node="${node}",direction="${direction}",kind="${kind}"\\} (\\d+)$`, "m")
    .exec(metrics);
  if (!m) throw new Error(`no meshrpc_calls_total for ${node} ${direction} ${kind} in:\n${metrics}`);
  return Number(m[1]);
}

async function metricsOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain");
  return await res.text();
}

/** Follows a long-running process's output as it grows. */
function follow(stream: unknown): { text(): string } {
  let text = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream as ReadableStream<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  })().catch(() => {});
  return { text: () => text };
}

const expectUsage = (r: RunResult, command: string) => {
  expect(r.code).toBe(0);
  expect(r.stdout.split("\n")[0]).toStartWith(`meshrpc ${command}`);
};

describe("usage and mistakes", () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = new Cluster();
  });
  afterAll(() => cluster.cleanup());

  test("help lists every subcommand, and each one's --help prints its usage line and exits 0", async () => {
    const help = await cluster.cli(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: meshrpc COMMAND");
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) {2}/gm)].map((m) => m[1]);
    expect(commands).toEqual(expect.arrayContaining(["start", "stop", "status", "call", "load", "names", "monitor", "epmd"]));
    expect(commands.length).toBeGreaterThanOrEqual(16);
    for (const command of commands) {
      expectUsage(await cluster.cli([command, "--help"]), command);
    }
    expectUsage(await cluster.cli(["help", "call"]), "call");
  });

  test("with no subcommand it prints the usage on stderr and exits 2; --help prints it on stdout", async () => {
    const r = await cluster.cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: meshrpc COMMAND");
    const help = await cluster.cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toContain("Usage: meshrpc COMMAND");
  });

  test("a usage printed because of a mistake goes to stderr, and nothing to stdout", async () => {
    for (const args of [["frobnicate"], ["call", "hoge@localhost"], ["help", "frobnicate"], ["status", "--nope"]]) {
      const r = await cluster.cli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toBe("");
    }
  });

  test("an unknown subcommand exits 2 and points at the help", async () => {
    const r = await cluster.cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "frobnicate"');
    expect(r.stderr).toContain("meshrpc help");
  });

  test("an unknown flag exits 2 and points at the subcommand's --help", async () => {
    const r = await cluster.cli(["status", "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--frobnicate");
    expect(r.stderr).toContain("meshrpc status --help");
  });

  test("call with too few arguments exits 2 and shows its usage", async () => {
    const r = await cluster.cli(["call", "hoge@localhost", "system"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: meshrpc call NODE MODULE FUNCTION");
  });

  test("start with a bad node name exits 2 saying what is allowed", async () => {
    const r = await cluster.cli(["start", "--sname", "bad name@localhost", "--cookie", "c"], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid node name");
  });

  test("with no node running, status exits 3 and tells how to start one", async () => {
    const r = await cluster.cli(["status"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("No meshrpc node is running");
    expect(r.stderr).toContain("meshrpc start --sname");
  });

  test("the socket of a node killed with -9 is reported as left behind (exit 3), and a new start takes its place", async () => {
    const crashed = new Cluster();
    try {
      const k = await crashed.start("k@localhost");
      process.kill(k.pid, "SIGKILL");
      await k.proc.exited;
      expect(statSync(k.socket).isSocket()).toBe(true);
      for (const args of [["status"], ["call", "k@localhost", "rpc", "echo", "1"]]) {
        const r = await crashed.cli(args);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain(`Node k@localhost is not running on this host: ${k.socket} was left behind by a node that is gone`);
        expect(r.stderr).toContain("meshrpc start --sname k@localhost");
      }
      await crashed.start("k@localhost");
      const again = await crashed.cli(["call", "k@localhost", "rpc", "echo", "1"]);
      expect(again).toMatchObject({ code: 0, stdout: "1\n" });
    } finally {
      await crashed.cleanup();
    }
  });

  test("the compiled binary ignores a bunfig.toml and a .env in the directory it is run from", () => {
    const project = join(cluster.dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "bunfig.toml"), 'preload = ["./preload.js"]\n');
    writeFileSync(join(project, "preload.js"), 'console.log("the preload ran");\n');
    writeFileSync(join(project, ".env"), "MESHRPC_NODE=ghost@localhost\n");
    const env = cluster.env();
    delete env.MESHRPC_NODE;
    const r = Bun.spawnSync([...programOf("binary"), "status"], { cwd: project, env, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    expect(r.stdout.toString()).toBe("");
    expect(r.exitCode).toBe(3);
    expect(r.stderr.toString()).toContain("No meshrpc node is running on this host");
  });

  test("names exits 3 with a clear message when no port mapper listens on the port", async () => {
    const port = await freePort();
    const r = await cluster.cli(["names", "--epmd-port", String(port)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no port mapper answers on localhost:${port}`);
  });

  test("the compiled binary prints the same help and exits the same way", async () => {
    const help = await cluster.cli(["help"], { flavor: "binary" });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: meshrpc COMMAND");
    expectUsage(await cluster.cli(["start", "--help"], { flavor: "binary" }), "start");
    const bad = await cluster.cli(["nodes", "--nope"], { flavor: "binary" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("meshrpc nodes --help");
  });
});

describe("two nodes on one host", () => {
  let cluster: Cluster;
  let a: NodeProc;
  let b: NodeProc;

  beforeAll(async () => {
    cluster = new Cluster();
    a = await cluster.start("a@localhost");
    b = await cluster.start("b@localhost", { args: ["--join", "a@localhost"] });
    await waitFor("b to connect to a", async () => (await cluster.cli(["nodes", "--node", "a"])).stdout.includes("b@localhost"));
  });
  afterAll(() => cluster.cleanup());

  test("a value from another node reaches the terminal with its escape sequences escaped", async () => {
    const hostile = JSON.stringify("red\u001b[31m\u009b2J\nnext");
    const text = await cluster.cli(["call", "b@localhost", "rpc", "echo", hostile, "--node", "a", "--format", "text"]);
    expect(text.stdout).toBe("red\\u001b[31m\\u009b2J\nnext\n");
    const pretty = await cluster.cli(["call", "b@localhost", "rpc", "echo", hostile, "--node", "a"]);
    expect(pretty.stdout.includes("\u001b") || pretty.stdout.includes("\u009b")).toBe(false);
    expect(JSON.parse(pretty.stdout)).toBe("red\u001b[31m\u009b2J\nnext");
  });

  test("without --node, status exits 2 and names both nodes", async () => {
    const r = await cluster.cli(["status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a@localhost");
    expect(r.stderr).toContain("b@localhost");
    expect(r.stderr).toContain("--node");
  });

  test("MESHRPC_NODE picks one, by short or full name, and --node too", async () => {
    const short = await cluster.cli(["status"], { env: { MESHRPC_NODE: "b" } });
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^node\s+b@localhost/);
    const full = await cluster.cli(["status"], { env: { MESHRPC_NODE: "a@localhost" } });
    expect(full.stdout).toMatch(/^node\s+a@localhost/);
    const flag = await cluster.cli(["status", "--node", "b@localhost"], { env: { MESHRPC_NODE: "a" } });
    expect(flag.stdout).toMatch(/^node\s+b@localhost/);
  });

  test("status --format json gives the node's name, pid, port and peers on one line", async () => {
    const r = await cluster.cli(["status", "--node", "a", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toHaveLength(2);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ node: "a@localhost", pid: a.pid, port: a.port, nodes: ["b@localhost"], epmdPort: cluster.epmdPort });
    expect(s.modules).toContain("system");
  });

  test("nodes prints one name per line, and a JSON list with --format json", async () => {
    const text = await cluster.cli(["nodes", "--node", "b"]);
    expect(text.stdout).toBe("a@localhost\n");
    const json = await cluster.cli(["nodes", "--node", "b", "--format", "json"]);
    expect(json.stdout).toBe('["a@localhost"]\n');
  });

  test("names lists the cluster's nodes with their ports, as text and JSON", async () => {
    const text = await cluster.cli(["names"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`name a at port ${a.port}`);
    expect(text.stdout).toContain(`name b at port ${b.port}`);
    const json = await cluster.cli(["names", "--format", "json"]);
    const entries = JSON.parse(json.stdout) as { name: string; port: number }[];
    expect(entries.map((e) => [e.name, e.port]).sort()).toEqual([["a", a.port], ["b", b.port]]);
  });

  test("load puts a new module into a running node, and a second load of the changed file replaces it", async () => {
    const file = join(cluster.dir, "Greeter.ts");
    writeFileSync(file, "export function hi(who: string) { return `hi ${who}`; }\n");
    const first = await cluster.cli(["load", file, "--node", "a"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("a@localhost: loaded Greeter (hi)\n");
    expect((await cluster.cli(["call", "a@localhost", "Greeter", "hi", "bob", "--node", "a"])).stdout).toBe('"hi bob"\n');

    writeFileSync(file, "export function hi(who: string) { return `hello again ${who}`; }\nexport function bye() { return 'bye'; }\n");
    const second = await cluster.cli(["load", file, "--node", "a"]);
    expect(second.stdout).toBe("a@localhost: loaded Greeter (bye, hi)\n");
    expect((await cluster.cli(["call", "a@localhost", "Greeter", "hi", "bob", "--node", "a"])).stdout).toBe('"hello again bob"\n');
    expect((await cluster.cli(["call", "a@localhost", "Greeter", "bye", "--node", "a"])).stdout).toBe('"bye"\n');
    // Only a got it: b answers undef (exit 1).
    expect((await cluster.cli(["call", "b@localhost", "Greeter", "bye", "--node", "a"])).code).toBe(1);
  });

  test("load --all loads on this node and every connected node", async () => {
    const file = join(cluster.dir, "Everywhere.ts");
    writeFileSync(file, "export function where(this: { self: string }) { return this.self; }\n");
    const r = await cluster.cli(["load", file, "--all"], { env: { MESHRPC_NODE: "a" } });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual([
      "a@localhost: loaded Everywhere (where)",
      "b@localhost: loaded Everywhere (where)",
    ]);
    const there = await cluster.cli(["call", "b@localhost", "Everywhere", "where", "--node", "a"]);
    expect(there.stdout).toBe('"b@localhost"\n');
  });

  test("call prints indented JSON by default and one compact line with --format json", async () => {
    const pretty = await cluster.cli(["call", "a@localhost", "system", "info", "--node", "a"]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout.split("\n").length).toBeGreaterThan(3);
    expect(pretty.stdout).toContain('\n  "node": "a@localhost"');
    const json = await cluster.cli(["call", "a@localhost", "system", "info", "--node", "a", "--format", "json"]);
    expect(json.stdout.split("\n")).toHaveLength(2);
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(Object.keys(JSON.parse(pretty.stdout)));
    expect(JSON.parse(json.stdout).node).toBe("a@localhost");
  });

  test("multicall --format json prints one compact JSON line per node, in order", async () => {
    const r = await cluster.cli(
      ["multicall", "--nodes", "b@localhost,dead@localhost,a@localhost", "node", "self", "--node", "a", "--format", "json", "--timeout", "2000"],
    );
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const rows = lines.map((l) => JSON.parse(l));
    expect(rows[0]).toEqual({ node: "b@localhost", ok: "b@localhost" });
    expect(rows[1].node).toBe("dead@localhost");
    expect(rows[1].error.kind).toBe("noconnection");
    expect(rows[2]).toEqual({ node: "a@localhost", ok: "a@localhost" });
    expect(r.stderr).toContain("dead@localhost");
  });

  test("load --format json prints one compact JSON line per node", async () => {
    const file = join(cluster.dir, "Lined.ts");
    writeFileSync(file, "export function one() { return 1; }\n");
    const r = await cluster.cli(["load", file, "--node", "a", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"node":"a@localhost","ok":{"module":"Lined","functions":["one"]}}\n');
  });

  test("a load of a file that does not exist exits 2 naming it", async () => {
    const r = await cluster.cli(["load", join(cluster.dir, "Missing.ts"), "--node", "a"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing.ts");
  });

  test("/metrics is Prometheus text whose meshrpc_calls_total counts the calls", async () => {
    const before = await metricsOf(a.port);
    expect(before).toContain("# TYPE meshrpc_calls_total counter");
    for (const line of before.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?[0-9.e+]+$/);
    }
    const servedBefore = callsTotal(before, "a@localhost", "served", "ok");
    const madeBefore = callsTotal(await metricsOf(b.port), "b@localhost", "made", "ok");
    const failedBefore = callsTotal(before, "a@localhost", "made", "noconnection");

    expect((await cluster.cli(["call", "a@localhost", "rpc", "echo", "1", "--node", "b"])).code).toBe(0);
    expect((await cluster.cli(["call", "a@localhost", "rpc", "echo", "2", "--node", "b"])).code).toBe(0);
    expect((await cluster.cli(["call", "nobody@localhost", "rpc", "echo", "--node", "a"])).code).toBe(3);

    const after = await metricsOf(a.port);
    expect(callsTotal(after, "a@localhost", "served", "ok")).toBe(servedBefore + 2);
    expect(callsTotal(after, "a@localhost", "made", "noconnection")).toBe(failedBefore + 1);
    expect(callsTotal(await metricsOf(b.port), "b@localhost", "made", "ok")).toBe(madeBefore + 2);
  });

  test("/health answers ok with the node's name", async () => {
    const res = await fetch(`http://127.0.0.1:${a.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", node: "a@localhost", nodes: 1 });
  });

  test("a node killed with -9 leaves names at once, and a call to it fails fast with noconnection (exit 3)", async () => {
    const k = await cluster.start("k@localhost", { args: ["--join", "a@localhost"] });
    await waitFor("k in names", async () => (await cluster.cli(["names"])).stdout.includes("name k at port"));
    process.kill(k.pid, "SIGKILL");
    await k.proc.exited;
    await waitFor("k to leave names", async () => !(await cluster.cli(["names"])).stdout.includes("name k "), 5000);
    const r = await cluster.cli(["call", "k@localhost", "rpc", "echo", "1", "--node", "a", "--timeout", "30000"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("noconnection");
    const ping = await cluster.cli(["ping", "k@localhost", "--node", "a"]);
    expect(ping.stdout).toBe("pang\n");
  });
});

describe("monitor", () => {
  let cluster: Cluster;
  afterEach(() => cluster.cleanup());

  test("prints nodeup when a node joins and nodedown when it stops, and exits 3 when its own node stops", async () => {
    cluster = new Cluster();
    await cluster.start("m@localhost");
    // Long-running: spawned here, and its pid tracked so that cleanup stops it.
    const monitor = Bun.spawn([...programOf("bun"), "monitor", "--node", "m"], {
      env: cluster.env(),
      stdout: "pipe",
      stderr: "pipe",
    });
    cluster.track(monitor.pid);
    const out = follow(monitor.stdout);
    const err = follow(monitor.stderr);
    await waitFor("the monitor to subscribe", () => {
      if (monitor.exitCode !== null) throw new Error(`monitor exited ${monitor.exitCode}: ${err.text()}`);
      return err.text().includes("monitoring m@localhost");
    });

    const c = await cluster.start("c@localhost", { args: ["--join", "m@localhost"] });
    await waitFor("a nodeup line", () => /^\S+ nodeup c@localhost$/m.test(out.text()));
    expect((await cluster.cli(["stop", "--node", "c"])).code).toBe(0);
    await c.proc.exited;
    await waitFor("a nodedown line", () => /^\S+ nodedown c@localhost \(.+\)$/m.test(out.text()));

    expect((await cluster.cli(["stop", "--node", "m"])).code).toBe(0);
    expect(await monitor.exited).toBe(3);
    expect(err.text()).toContain("m@localhost stopped; monitor ends");
  });
});

describe("start --detach and stop", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster();
    await cluster.startEpmd();
  });
  afterAll(() => cluster.cleanup());

  for (const flavor of ["bun", "binary"] as const) {
    test(`as ${flavor}: prints name, port, socket and pid, the node serves, and stop stops it`, async () => {
      const name = `det-${flavor}@localhost`;
      const { r, d } = await detach(cluster, ["--sname", name, "--cookie", cluster.cookie], { flavor });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(d).toMatchObject({ node: name, socket: join(cluster.dir, `${name}.sock`) });
      expect(d.port).toBeGreaterThan(0);
      expect(alive(d.pid)).toBe(true);

      const health = await fetch(`http://127.0.0.1:${d.port}/health`);
      expect(await health.json()).toMatchObject({ status: "ok", node: name });
      const call = await cluster.cli(["call", name, "system", "info", "--node", name], { flavor });
      expect(JSON.parse(call.stdout).pid).toBe(d.pid);

      const stop = await cluster.cli(["stop", "--node", name], { flavor });
      expect(stop.code).toBe(0);
      expect(stop.stdout).toBe(`stopped ${name}\n`);
      await waitFor(`pid ${d.pid} to exit`, () => !alive(d.pid));
    });
  }

  test("with a modules directory that cannot be read, it fails non-zero with that reason", async () => {
    const missing = join(cluster.dir, "no-such-dir");
    const { r } = await detach(cluster, ["--sname", "badmods@localhost", "--cookie", cluster.cookie, "--modules", missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("did not start");
    expect(r.stderr).toContain(`Cannot read the modules directory ${missing}`);
  });

  test("a second failed start shows its own reason, not the previous attempt's", async () => {
    const broken = join(cluster.dir, "broken-modules");
    mkdirSync(broken);
    writeFileSync(join(broken, "Broken.ts"), "export const = ;\n");
    const name = "twice@localhost";
    const first = await detach(cluster, ["--sname", name, "--cookie", cluster.cookie, "--modules", join(cluster.dir, "nope")]);
    expect(first.r.stderr).toContain("Cannot read the modules directory");
    const second = await detach(cluster, ["--sname", name, "--cookie", cluster.cookie, "--modules", broken]);
    expect(second.r.code).not.toBe(0);
    expect(second.r.stderr).toContain("Broken.ts");
    expect(second.r.stderr).not.toContain("Cannot read the modules directory");
  });

  test("--log-format json makes the daemon log one JSON object per line, starting with a start event", async () => {
    const name = "jsonlog@localhost";
    const { r, d } = await detach(cluster, ["--sname", name, "--cookie", cluster.cookie, "--log-format", "json"]);
    expect(r.code).toBe(0);
    const lines = readFileSync(d.log, "utf8").trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = events.find((e) => e.event === "start");
    expect(start).toMatchObject({ level: "info", node: name, port: d.port, pid: d.pid });
    expect(Number.isNaN(Date.parse(String(start!.time)))).toBe(false);
    expect((await cluster.cli(["stop", "--node", name])).code).toBe(0);
    await waitFor(`pid ${d.pid} to exit`, () => !alive(d.pid));
    const all = readFileSync(d.log, "utf8").trim().split("\n").map((l) => JSON.parse(l).event);
    expect(all).toContain("stopped");
  });
});

describe("cookies", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster();
    await cluster.startEpmd();
  });
  afterAll(() => cluster.cleanup());

  const rpcStatus = async (port: number, cookie: string) =>
    (await fetch(`http://127.0.0.1:${port}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${cookie}`, "content-type": "application/json" },
      body: JSON.stringify({ module: "rpc", function: "echo", args: [1] }),
    })).status;

  test("$MESHRPC_COOKIE is the cookie when --cookie is not given", async () => {
    const secret = "env-cookie-" + crypto.randomUUID().slice(0, 8);
    const { r, d } = await detach(cluster, ["--sname", "envc@localhost"], { env: { MESHRPC_COOKIE: secret } });
    expect(r.code).toBe(0);
    expect(await rpcStatus(d.port, secret)).toBe(200);
    expect(await rpcStatus(d.port, cluster.cookie)).toBe(401);
  });

  test("without either, the node creates ~/.meshrpc.cookie with mode 0600 and uses it", async () => {
    const file = join(cluster.dir, ".meshrpc.cookie");
    const { r, d } = await detach(cluster, ["--sname", "filec@localhost"]);
    expect(r.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cookie = readFileSync(file, "utf8").trim();
    expect(cookie.length).toBeGreaterThanOrEqual(16);
    expect(await rpcStatus(d.port, cookie)).toBe(200);
    // A second node reads the same file: the two connect.
    const { d: d2 } = await detach(cluster, ["--sname", "filec2@localhost"]);
    expect(await rpcStatus(d2.port, cookie)).toBe(200);
    const ping = await cluster.cli(["ping", "filec@localhost", "--node", "filec2"]);
    expect(ping.stdout).toBe("pong\n");
  });

  test("a cookie file that others can read is refused, with the chmod to run", async () => {
    const file = join(cluster.dir, ".meshrpc.cookie");
    writeFileSync(file, "readable-by-all\n");
    chmodSync(file, 0o644);
    const r = await cluster.cli(["start", "--sname", "leaky@localhost", "--listen", "127.0.0.1"], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chmod 600 ${file}`);
  });
});

describe("the port mapper a node starts for itself", () => {
  let cluster: Cluster;
  afterEach(() => cluster.cleanup());

  test("a node that finds no mapper on its port starts one, detached, which outlives it", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const names = await cluster.cli(["names"]);
    expect(names.code).toBe(3);

    const node = await cluster.start("auto@localhost");
    const health = await (await fetch(`http://127.0.0.1:${cluster.epmdPort}/health`)).json() as { pid: number; names: number };
    cluster.track(health.pid);
    expect(health.pid).not.toBe(node.pid);
    expect(health.names).toBe(1);
    expect((await cluster.cli(["names"])).stdout).toBe(`name auto at port ${node.port}\n`);

    expect((await cluster.cli(["stop", "--node", "auto"])).code).toBe(0);
    await node.proc.exited;
    const after = await (await fetch(`http://127.0.0.1:${cluster.epmdPort}/health`)).json() as { pid: number; names: number };
    expect(after).toMatchObject({ pid: health.pid, names: 0 });
  });
  test("a first start on a fresh machine creates the runtime directory (0700) before starting the mapper", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const fresh = join(cluster.dir, "not", "yet");
    const env = { MESHRPC_RUNTIME_DIR: fresh };
    await cluster.start("first@localhost", { env });
    const health = await (await fetch(`http://127.0.0.1:${cluster.epmdPort}/health`)).json() as { pid: number };
    cluster.track(health.pid);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    const status = await cluster.cli(["status", "--format", "json"], { env });
    expect(JSON.parse(status.stdout).node).toBe("first@localhost");
  });
});
