/**
 * Several real daemons forming a cluster: what Erlang users do with
 * Node.ping, Node.list and :erpc.call between nodes, and what happens when
 * nodes die, freeze, restart or hold the wrong cookie.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, FIXTURES, sleep, waitFor } from "../support/cluster.ts";

// Real daemons start in tens of milliseconds, but a loaded CI machine can be slow.
setDefaultTimeout(30_000);

const MODULES = ["--modules", join(FIXTURES, "modules")];

let cluster: Cluster;
afterEach(() => cluster.cleanup());

async function nodesOf(name: string): Promise<string[]> {
  const r = await cluster.cli(["nodes", "--node", name]);
  expect(r.code).toBe(0);
  return r.stdout.split("\n").filter((l) => l);
}

describe("two nodes, as two IEx sessions", () => {
  test("ping, list, call both ways, and curl through one to the other", async () => {
    cluster = new Cluster({ cookie: "mycookie" });
    const hoge = await cluster.start("hoge@localhost", { args: MODULES });
    await cluster.start("fuga@localhost", { args: MODULES });

    const ping = await cluster.cli(["ping", "fuga@localhost", "--node", "hoge@localhost"]);
    expect(ping).toEqual({ code: 0, stdout: "pong\n", stderr: "" });
    expect(await nodesOf("hoge@localhost")).toEqual(["fuga@localhost"]);
    expect(await nodesOf("fuga@localhost")).toEqual(["hoge@localhost"]);

    const there = await cluster.cli(["call", "fuga@localhost", "Person", "say_hello", "hoge@localhost", "--node", "hoge@localhost"]);
    expect(there.stdout).toBe('"Hello, Hoge! My name is Fuga."\n');
    const back = await cluster.cli(["call", "hoge@localhost", "Person", "say_hello", "fuga@localhost", "--node", "fuga@localhost"]);
    expect(back.stdout).toBe('"Hello, Fuga! My name is Hoge."\n');

    const curl = await cluster.rpc(hoge.port, {
      node: "fuga@localhost",
      module: "Person",
      function: "whoami",
      args: [],
    });
    expect(curl).toEqual({ status: 200, body: { ok: { self: "fuga@localhost", caller: "hoge@localhost" } } });

    expect((await cluster.cli(["stop", "--node", "fuga@localhost"])).code).toBe(0);
    await waitFor("hoge to see fuga go", async () => (await nodesOf("hoge@localhost")).length === 0);
    expect(hoge.log()).toContain("nodedown node=fuga@localhost");
  });

  test("a node that cannot be found is pang, and a call to it is noconnection (exit 3)", async () => {
    cluster = new Cluster();
    await cluster.start("hoge@localhost");
    const ping = await cluster.cli(["ping", "ghost@localhost"]);
    expect(ping.stdout).toBe("pang\n");
    expect(ping.code).toBe(3);
    const call = await cluster.cli(["call", "ghost@localhost", "rpc", "echo", "1"]);
    expect(call.code).toBe(3);
    expect(call.stderr).toContain("no node named ghost on localhost");
  });
});

describe("the mesh", () => {
  test("is transitive: a node that joins one member ends connected to all", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost");
    await cluster.start("b@localhost", { args: ["--join", "a@localhost"] });
    await waitFor("b to join a", async () => (await nodesOf("a@localhost")).includes("b@localhost"));
    await cluster.start("c@localhost", { args: ["--join", "b@localhost"] });
    await waitFor("a and c to meet through b", async () => (await nodesOf("a@localhost")).length === 2);
    expect(await nodesOf("a@localhost")).toEqual(["b@localhost", "c@localhost"]);
    expect(await nodesOf("b@localhost")).toEqual(["a@localhost", "c@localhost"]);
    expect(await nodesOf("c@localhost")).toEqual(["a@localhost", "b@localhost"]);
  });

  test("leaves hidden nodes out of the mesh and out of nodes()", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost");
    await cluster.start("b@localhost", { args: ["--join", "a@localhost"] });
    await cluster.start("h@localhost", { args: ["--hidden", "--join", "a@localhost"] });
    await waitFor("a to see the hidden node", async () => {
      const r = await cluster.cli(["nodes", "--hidden", "--node", "a@localhost"]);
      return r.stdout === "h@localhost\n";
    });
    await sleep(300);
    expect(await nodesOf("a@localhost")).toEqual(["b@localhost"]);
    expect(await nodesOf("h@localhost")).toEqual(["a@localhost"]);
    expect(await nodesOf("b@localhost")).toEqual(["a@localhost"]);
  });

  test("refuses a wrong cookie, logging the reason on both sides", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost");
    const b = await cluster.start("b@localhost", { cookie: "another-cookie" });
    const r = await cluster.cli(["call", "a@localhost", "rpc", "echo", "1", "--node", "b@localhost"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cookie");
    await waitFor("both logs to say why", () => /handshake_refused.*reason=cookie/.test(a.log()) && /handshake_refused.*reason=cookie/.test(b.log()));
    expect(await nodesOf("a@localhost")).toEqual([]);
  });

  test("reconnects a --join node that restarts under the same name", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost");
    await cluster.start("b@localhost", { args: ["--join", "a@localhost"] });
    await waitFor("b to join", async () => (await nodesOf("b@localhost")).length === 1);
    a.proc.kill("SIGKILL");
    await a.proc.exited;
    await waitFor("b to see a go", async () => (await nodesOf("b@localhost")).length === 0);
    await cluster.start("a@localhost");
    await waitFor("b to reconnect to the new a", async () => (await nodesOf("b@localhost")).length === 1, 15_000);
    const r = await cluster.cli(["call", "a@localhost", "node", "self", "--node", "b@localhost"]);
    expect(r.stdout).toBe('"a@localhost"\n');
  });
});

describe("failures during calls", () => {
  test("kill -9 of the callee ends a slow call with noconnection at once, and nodedown fires", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost", { args: MODULES });
    const b = await cluster.start("b@localhost", { args: MODULES });
    await cluster.cli(["join", "b@localhost", "--node", "a@localhost"]);
    const call = cluster.cli(["call", "b@localhost", "Slow", "wait", "20000", "/dev/null", "--timeout", "30000", "--node", "a@localhost"]);
    await sleep(300);
    const killedAt = Date.now();
    b.proc.kill("SIGKILL");
    const r = await call;
    const after = Date.now() - killedAt;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("noconnection");
    expect(after).toBeLessThan(1000);
    await waitFor("a to log nodedown", () => a.log().includes("nodedown node=b@localhost"));
  });

  test("a frozen peer (SIGSTOP) is declared down after --ticktime", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost", { args: ["--ticktime", "1"] });
    const b = await cluster.start("b@localhost", { args: ["--ticktime", "1"] });
    await cluster.cli(["join", "b@localhost", "--node", "a@localhost"]);
    const call = cluster.cli(["call", "b@localhost", "rpc", "sleep", "20000", "--timeout", "30000", "--node", "a@localhost"]);
    await sleep(300);
    process.kill(b.pid, "SIGSTOP");
    try {
      await waitFor("a to declare b down", () => /nodedown node=b@localhost reason="tick timeout/.test(a.log()), 5000);
      const r = await call;
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("tick timeout");
      expect(await nodesOf("a@localhost")).toEqual([]);
    } finally {
      process.kill(b.pid, "SIGCONT");
    }
  });

  test("a remote timeout fires the callee's this.signal", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost", { args: MODULES });
    await cluster.start("b@localhost", { args: MODULES });
    const marker = join(cluster.dir, "aborted");
    const r = await cluster.cli(["call", "b@localhost", "Slow", "wait", "10000", marker, "--timeout", "300", "--node", "a@localhost"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("b@localhost did not answer within 300 ms");
    await waitFor("the remote signal to fire", () => existsSync(marker), 3000);
  });

  test("multicall gives one result per node, in order, with the dead node's noconnection", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost");
    await cluster.start("b@localhost");
    const r = await cluster.cli([
      "multicall", "--nodes", "b@localhost,dead@localhost,a@localhost", "node", "self", "--node", "a@localhost",
    ]);
    expect(r.code).toBe(3);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { node: string }) => x.node)).toEqual(["b@localhost", "dead@localhost", "a@localhost"]);
    expect(rows[0]).toEqual({ node: "b@localhost", ok: "b@localhost" });
    expect(rows[1].error.kind).toBe("noconnection");
    expect(rows[2]).toEqual({ node: "a@localhost", ok: "a@localhost" });
  });

  test("cast runs the function on the other node", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost", { args: MODULES });
    await cluster.start("b@localhost", { args: MODULES });
    const file = join(cluster.dir, "cast-ran");
    const r = await cluster.cli(["cast", "b@localhost", "Slow", "touch", file, "from a", "--node", "a@localhost"]);
    expect(r.code).toBe(0);
    await waitFor("the cast to run", () => existsSync(file), 3000);
    expect(readFileSync(file, "utf8")).toBe("from a");
  });
});

describe("stopping", () => {
  test("SIGTERM lets a call in flight finish, tells the peer, and exits 0", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost", { args: MODULES });
    const b = await cluster.start("b@localhost", { args: MODULES });
    const call = cluster.cli(["call", "b@localhost", "Slow", "wait", "1000", "/dev/null", "--node", "a@localhost"]);
    await waitFor("a to connect to b for the call", async () => (await nodesOf("a@localhost")).length === 1);
    await sleep(200);
    b.proc.kill("SIGTERM");
    const r = await call;
    expect(r).toEqual({ code: 0, stdout: '"finished"\n', stderr: "" });
    expect(await b.proc.exited).toBe(0);
    expect(b.log()).toMatch(/stopping node=b@localhost in_flight=1/);
    await waitFor("a to hear b's bye", () => /nodedown node=b@localhost reason=.*shutdown/.test(a.log()));
    expect(existsSync(b.socket)).toBe(false);
    const names = await cluster.cli(["names", "--format", "json"]);
    expect(JSON.parse(names.stdout).map((e: { name: string }) => e.name)).toEqual(["a"]);
  });

  test("SIGTERM lets the calls a node forwards finish: HTTP forwards and control-plane calls", async () => {
    cluster = new Cluster({ flavor: "binary" });
    const a = await cluster.start("a@localhost");
    await cluster.start("b@localhost");
    expect(await cluster.rpc(a.port, { node: "b@localhost", module: "rpc", function: "echo", args: [1] }))
      .toEqual({ status: 200, body: { ok: 1 } });
    const pending = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${a.port}/metrics`)).text();
      return Number(/^meshrpc_pending_calls\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
    };
    // The CLI first: its start-up is the slow part, and every call must be on its way before the SIGTERM.
    const control = cluster.cli(["call", "b@localhost", "rpc", "sleep", "1000", "--node", "a@localhost"]);
    await waitFor("the control-plane call to be on its way from a to b", async () => (await pending()) === 1);
    const sleep1s = { node: "b@localhost", module: "rpc", function: "sleep", args: [1000] };
    const forwarded = Array.from({ length: 20 }, () => cluster.rpc(a.port, sleep1s));
    await waitFor("the 20 HTTP calls to be on their way too", async () => (await pending()) === 21, 600);
    process.kill(a.pid, "SIGTERM");
    await waitFor("a to start stopping", () => /stopping node=a@localhost/.test(a.log()));
    const refused = await cluster.rpc(a.port, sleep1s).catch((err) => ({ status: 0, body: String(err) }));
    expect(refused.status === 0 || refused.body?.error?.reason === "the node is shutting down").toBe(true);
    expect(await Promise.all(forwarded)).toEqual(Array(20).fill({ status: 200, body: { ok: 1000 } }));
    expect(await control).toEqual({ code: 0, stdout: "1000\n", stderr: "" });
    expect(await a.proc.exited).toBe(0);
    expect(a.log()).toMatch(/stopping node=a@localhost in_flight=21/);
  });
});

describe("calls from inside a called function", () => {
  test("this.rpc reaches a third node, and its failures come back as results", async () => {
    cluster = new Cluster();
    await cluster.start("a@localhost", { args: MODULES });
    await cluster.start("b@localhost", { args: MODULES });
    await cluster.start("c@localhost", { args: MODULES });
    const r = await cluster.cli(["call", "b@localhost", "Relay", "ask", "c@localhost", "--node", "a@localhost"]);
    expect(r.stdout).toBe('"c@localhost"\n');
    const missing = await cluster.cli(["call", "b@localhost", "Relay", "askKind", "ghost@localhost", "--node", "a@localhost"]);
    expect(missing.stdout).toBe('"noconnection"\n');
    const thrown = await cluster.cli(["call", "b@localhost", "Relay", "ask", "ghost@localhost", "--node", "a@localhost"]);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toContain("RpcError: noconnection: ghost@localhost");
  });
});
