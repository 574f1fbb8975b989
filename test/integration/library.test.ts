/**
 * meshrpc as a library (SPEC §5, the error model of STYLE): a Bun program
 * that is itself a node, in this test's own process, next to real daemons
 * started by a Cluster; and a Deno program doing the same
 * (test/support/deno_library_node.ts).
 */
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  type CallContext,
  type CallResult,
  type MeshNode,
  ModuleError,
  type NodeEvent,
  type NodeOptions,
  NodeStartError,
  RpcError,
  startNode,
  type Value,
} from "../../lib/mod.ts";
import { Cluster, DENO, FIXTURES, type NodeProc, ROOT, waitFor } from "../support/cluster.ts";

setDefaultTimeout(30_000);

const MODULES = ["--modules", join(FIXTURES, "modules")];
const DAEMON = "d@localhost";
const LIB = "lib@localhost";

let cluster: Cluster;
let daemon: NodeProc;
let libs: MeshNode[] = [];
let children: Subprocess[] = [];

/** A library node in this process, against this cluster's port mapper and runtime directory. */
async function libraryNode(options: Partial<NodeOptions> = {}): Promise<MeshNode> {
  const node = await startNode({
    name: LIB,
    cookie: cluster.cookie,
    listen: "127.0.0.1",
    epmdPort: cluster.epmdPort,
    runtimeDir: cluster.dir,
    control: false,
    ...options,
  });
  libs.push(node);
  return node;
}

/** What a rejected promise rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    throw new Error(`Expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    return err;
  }
}

/** The one RpcError a failing `call` must throw, and its result. */
async function rpcError(promise: Promise<unknown>): Promise<CallResult> {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(RpcError);
  expect((err as RpcError).name).toBe("RpcError");
  expect((err as RpcError).kind).toBe((err as RpcError).result.kind);
  return (err as RpcError).result;
}

async function daemonCli(args: string[]) {
  return await cluster.cli([...args, "--node", DAEMON]);
}

const short = (node: string) => node[0].toUpperCase() + node.slice(1, node.indexOf("@"));

/** What the library registers: a Person like the fixture's, and functions that fail on purpose. */
const person = {
  say_hello(this: CallContext, other: string): string {
    return `Hello, ${short(other)}! My name is ${short(this.self)}.`;
  },
  whoami(this: CallContext) {
    return { self: this.self, caller: this.caller };
  },
  fail(message: string): never {
    throw new TypeError(message);
  },
};

beforeEach(async () => {
  cluster = new Cluster();
  await cluster.startEpmd();
  daemon = await cluster.start(DAEMON, { args: MODULES });
});

afterEach(async () => {
  await Promise.all(libs.map((n) => n.stop()));
  libs = [];
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  await Promise.all(children.map((p) => p.exited));
  children = [];
  await cluster.cleanup();
});

describe("a library node in a Bun program", () => {
  test("registers with the port mapper, serves its registered module to a daemon, and calls the daemon", async () => {
    const lib = await libraryNode();
    lib.register("Person", person);
    expect(lib.name).toBe(LIB);
    expect(lib.port).toBeGreaterThan(0);

    expect((await cluster.cli(["names"])).stdout).toContain(`name lib at port ${lib.port}\n`);

    const there = await daemonCli(["call", LIB, "Person", "say_hello", DAEMON]);
    expect({ code: there.code, stdout: there.stdout, stderr: there.stderr })
      .toEqual({ code: 0, stdout: '"Hello, D! My name is Lib."\n', stderr: "" });
    const who = await daemonCli(["call", LIB, "Person", "whoami"]);
    expect(JSON.parse(who.stdout)).toEqual({ self: LIB, caller: DAEMON });

    expect(await lib.call(DAEMON, "Person", "say_hello", [LIB])).toBe("Hello, Lib! My name is D.");
    expect(await lib.call(DAEMON, "Person", "whoami")).toEqual({ self: DAEMON, caller: LIB });
    const info = await lib.call<Record<string, Value>>(DAEMON, "system", "info");
    expect(info).toMatchObject({ node: DAEMON, runtime: "bun", pid: daemon.pid });
    expect(lib.info()).toMatchObject({ node: LIB, runtime: "bun", pid: process.pid });
  });

  test("a function the library registered that throws is an exception for the daemon (exit 1)", async () => {
    const lib = await libraryNode();
    lib.register("Person", person);
    const r = await daemonCli(["call", LIB, "Person", "fail", "no such person"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TypeError: no such person");
    const missing = await daemonCli(["call", LIB, "Person", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("undef");
  });

  test("register refuses a built-in module's name with a ModuleError", async () => {
    const lib = await libraryNode();
    expect(() => lib.register("system", { info: () => "mine" })).toThrow(ModuleError);
  });

  test("call throws one RpcError whose result says exception, undef, noconnection, timeout or badarg", async () => {
    const lib = await libraryNode();

    expect(await rpcError(lib.call(DAEMON, "Faulty", "boom", ["out of range"]))).toMatchObject({
      kind: "exception",
      name: "RangeError",
      message: "out of range",
      data: { code: 42 },
    });
    expect(await rpcError(lib.call(DAEMON, "Faulty", "reject", ["rejected"]))).toMatchObject({
      kind: "exception",
      name: "Error",
      message: "rejected",
    });
    expect(await rpcError(lib.call(DAEMON, "Nope", "nothing"))).toEqual({ kind: "undef", module: "Nope", function: "nothing" });
    expect(await rpcError(lib.call(DAEMON, "Person", "nothing"))).toEqual({ kind: "undef", module: "Person", function: "nothing" });
    expect(await rpcError(lib.call("ghost@localhost", "rpc", "echo", [1]))).toMatchObject({
      kind: "noconnection",
      node: "ghost@localhost",
    });
    expect(await rpcError(lib.call(DAEMON, "rpc", "sleep", [10_000], { timeoutMs: 300 }))).toEqual({
      kind: "timeout",
      node: DAEMON,
      timeoutMs: 300,
    });
    const fn = (() => "functions do not cross the wire") as unknown as Value;
    expect((await rpcError(lib.call(DAEMON, "rpc", "echo", [fn]))).kind).toBe("badarg");
    // The same on a call to this node itself: values are copied as if they crossed the wire.
    expect((await rpcError(lib.call(LIB, "rpc", "echo", [fn]))).kind).toBe("badarg");
    // SPEC §4: a malformed request, such as a bad node name, is badarg.
    expect((await rpcError(lib.call("not a node name", "rpc", "echo", [1]))).kind).toBe("badarg");

    // The RpcError's message is the one line the CLI prints.
    const err = await rejection(lib.call(DAEMON, "rpc", "sleep", [10_000], { timeoutMs: 200 })) as RpcError;
    expect(err.message).toContain(`${DAEMON} did not answer within 200 ms`);
  });

  test("a malformed call is badarg on the caller's side and leaves the link to the other node up", async () => {
    const lib = await libraryNode();
    expect(await lib.ping(DAEMON)).toBe("pong");
    // Another call in flight on the same link must not be hurt by the bad ones.
    const slow = lib.callResult(DAEMON, "rpc", "sleep", [500], { timeoutMs: 10_000 });
    const bad: [string, string, string, unknown, { timeoutMs?: number }?][] = [
      [DAEMON, "rpc", "echo", "not a list"],
      [DAEMON, "rpc", "echo", { 0: 1 }],
      [DAEMON, 7 as unknown as string, "echo", []],
      [DAEMON, "rpc", "", []],
      [DAEMON, "rpc", "echo", [1], { timeoutMs: -5 }],
      [DAEMON, "rpc", "echo", [1], { timeoutMs: Number.NaN }],
      [LIB, "rpc", "echo", "not a list"],
      [LIB, "rpc", "echo", [1], { timeoutMs: -5 }],
    ];
    for (const [node, module, fn, args, options] of bad) {
      const r = await lib.callResult(node, module, fn, args as Value[], options);
      expect({ call: [node, module, fn, args, options], kind: r.kind }).toEqual({ call: [node, module, fn, args, options], kind: "badarg" });
    }
    expect((await rpcError(lib.cast(DAEMON, "rpc", "echo", "not a list" as unknown as Value[]))).kind).toBe("badarg");
    expect(await slow).toEqual({ kind: "ok", value: 500 });
    expect(lib.nodes()).toEqual([DAEMON]);
    expect(daemon.log()).not.toContain("nodedown");
  });

  test("callResult resolves every outcome as a value, never throwing", async () => {
    const lib = await libraryNode();
    const fn = (() => 1) as unknown as Value;
    const results = await Promise.all([
      lib.callResult(DAEMON, "rpc", "echo", [[1n, new Uint8Array([1, 2]), new Date(0)]]),
      lib.callResult(DAEMON, "Faulty", "throwValue"),
      lib.callResult(DAEMON, "Nope", "nothing"),
      lib.callResult("ghost@localhost", "rpc", "echo", []),
      lib.callResult(DAEMON, "rpc", "sleep", [10_000], { timeoutMs: 300 }),
      lib.callResult(DAEMON, "rpc", "echo", [fn]),
    ]);
    expect(results.map((r) => r.kind)).toEqual(["ok", "exception", "undef", "noconnection", "timeout", "badarg"]);
    expect(results[0]).toEqual({ kind: "ok", value: [1n, new Uint8Array([1, 2]), new Date(0)] });
    expect(results[1]).toMatchObject({ kind: "exception", name: "Thrown", message: "just a string" });
  });

  test("multicall gives one result per node in the order given, and cast runs a function without waiting", async () => {
    const lib = await libraryNode();
    const rows = await lib.multicall("node", "self", [], { nodes: [DAEMON, "ghost@localhost", LIB] });
    expect(rows.map((r) => r.node)).toEqual([DAEMON, "ghost@localhost", LIB]);
    expect(rows[0].result).toEqual({ kind: "ok", value: DAEMON });
    expect(rows[1].result.kind).toBe("noconnection");
    expect(rows[2].result).toEqual({ kind: "ok", value: LIB });
    // Without nodes: this node and every connected one, as rpc:multicall/3.
    const all = await lib.multicall("node", "self");
    expect(all.map((r) => r.result)).toEqual([{ kind: "ok", value: LIB }, { kind: "ok", value: DAEMON }]);

    const file = join(cluster.dir, "cast-from-library");
    expect(await lib.cast(DAEMON, "Slow", "touch", [file, "from the library"])).toBeUndefined();
    // The file exists (empty) a moment before writeFileSync has written it.
    await waitFor("the cast to run on the daemon", () => existsSync(file) && readFileSync(file, "utf8") !== "", 5000);
    expect(readFileSync(file, "utf8")).toBe("from the library");
    expect((await rpcError(lib.cast("ghost@localhost", "Slow", "touch", [file, "never"]))).kind).toBe("noconnection");
  });

  test("module() calls a module typed by its source: values as call resolves them, failures as one RpcError", async () => {
    const lib = await libraryNode();
    const person = lib.module<typeof import("../fixtures/modules/Person.ts")>(DAEMON, "Person");
    const hello: string = await person.say_hello(LIB);
    expect(hello).toBe("Hello, Lib! My name is D.");
    expect(await person.whoami()).toEqual({ self: DAEMON, caller: LIB });

    const faulty = lib.module<typeof import("../fixtures/modules/Faulty.ts")>(DAEMON, "Faulty");
    expect(await rpcError(faulty.boom("out of range"))).toMatchObject({ kind: "exception", name: "RangeError" });
    const ghost = lib.module<typeof import("../fixtures/modules/Person.ts")>("ghost@localhost", "Person");
    expect((await rpcError(ghost.say_hello(LIB))).kind).toBe("noconnection");
    expect(await rpcError(lib.module<{ nope(): void }>(DAEMON, "Nope").nope())).toEqual({ kind: "undef", module: "Nope", function: "nope" });
    // The options apply to every call made through it.
    const slow = lib.module<typeof import("../fixtures/modules/Slow.ts")>(DAEMON, "Slow", { timeoutMs: 200 });
    expect(await rpcError(slow.wait(10_000, "/dev/null"))).toEqual({ kind: "timeout", node: DAEMON, timeoutMs: 200 });
  });

  test("an aborted signal rejects the call with its reason and cancels the function on the callee", async () => {
    const lib = await libraryNode();
    const marker = join(cluster.dir, "aborted-by-signal");
    const ac = new AbortController();
    const call = lib.callResult(DAEMON, "Slow", "wait", [10_000, marker], { timeoutMs: 20_000, signal: ac.signal });
    await waitFor("the call to be connected", () => lib.nodes().includes(DAEMON));
    await Bun.sleep(200);
    const started = Date.now();
    ac.abort(new Error("the user gave up"));
    expect(await rejection(call)).toEqual(new Error("the user gave up"));
    expect(Date.now() - started).toBeLessThan(1000);
    // The callee's this.signal fired: the cancel went over the link, which stays up.
    await waitFor("the daemon's function to see the cancel", () => existsSync(marker) && readFileSync(marker, "utf8") !== "", 5000);
    expect(readFileSync(marker, "utf8")).toStartWith("aborted: ");
    expect(lib.nodes()).toEqual([DAEMON]);
    expect(await lib.call(DAEMON, "node", "self")).toBe(DAEMON);

    // Already aborted: rejects at once, nothing runs anywhere.
    const touched = join(cluster.dir, "never-touched");
    const err = await rejection(lib.call(DAEMON, "Slow", "touch", [touched, "x"], { signal: AbortSignal.abort() }));
    expect((err as Error).name).toBe("AbortError");
    await Bun.sleep(200);
    expect(existsSync(touched)).toBe(false);

    // A call to this node itself: its function's signal fires too.
    let seen: unknown;
    lib.register("Local", {
      wait(this: CallContext) {
        return new Promise((_, reject) => this.signal.addEventListener("abort", () => reject(seen = this.signal.reason)));
      },
    });
    const local = new AbortController();
    const pending = lib.call(LIB, "Local", "wait", [], { signal: local.signal });
    await Bun.sleep(50);
    local.abort("stop");
    expect(await rejection(pending)).toBe("stop");
    await waitFor("the local function to see the abort", () => seen === "stop");

    // multicall rejects as a whole; AbortSignal.timeout's reason is a TimeoutError.
    const many = await rejection(lib.multicall("Slow", "wait", [10_000, "/dev/null"], {
      nodes: [DAEMON, LIB],
      signal: AbortSignal.timeout(200),
    }));
    expect((many as Error).name).toBe("TimeoutError");
    // A signal that is not an AbortSignal is badarg, as any malformed call.
    const bad = await lib.callResult(DAEMON, "node", "self", [], { signal: "no" as unknown as AbortSignal });
    expect(bad.kind).toBe("badarg");
  });

  test("multicall's nodes must be an array: anything else is a TypeError", async () => {
    const lib = await libraryNode();
    const err = await rejection(lib.multicall("node", "self", [], { nodes: DAEMON as unknown as string[] }));
    expect(err).toBeInstanceOf(TypeError);
  });

  test("ping is pong for a running node and pang for one that is not, and nodes() lists who is connected", async () => {
    const lib = await libraryNode();
    expect(lib.nodes()).toEqual([]);
    expect(await lib.ping("ghost@localhost")).toBe("pang");
    expect(await lib.ping(DAEMON)).toBe("pong");
    expect(await lib.ping(LIB)).toBe("pong");
    expect(lib.nodes()).toEqual([DAEMON]);
    const seen = await daemonCli(["nodes"]);
    expect(seen.stdout).toBe(`${LIB}\n`);
    expect((await daemonCli(["ping", LIB])).stdout).toBe("pong\n");
  });

  test("nodeup and nodedown events carry the node's name, and nodedown its reason", async () => {
    const lib = await libraryNode();
    const events: NodeEvent[] = [];
    const all: NodeEvent[] = [];
    lib.on("nodeup", (e) => events.push(e));
    lib.on("nodedown", (e) => events.push(e));
    const off = lib.on("*", (e) => all.push(e));

    const other = await cluster.start("e@localhost", { args: ["--join", LIB] });
    await waitFor("nodeup for e", () => events.some((e) => e.type === "nodeup" && e.node === "e@localhost"));
    await lib.connect(DAEMON);
    await waitFor("nodeup for d", () => events.some((e) => e.type === "nodeup" && e.node === DAEMON));
    expect(lib.nodes()).toEqual([DAEMON, "e@localhost"]);

    other.proc.kill("SIGKILL");
    await waitFor("nodedown for e", () => events.some((e) => e.type === "nodedown" && e.node === "e@localhost"));
    const down = events.find((e) => e.type === "nodedown")!;
    expect(down).toMatchObject({ type: "nodedown", node: "e@localhost" });
    expect(down.type === "nodedown" && down.reason.length > 0).toBe(true);

    off();
    const seenByStar = all.length;
    expect((await daemonCli(["stop"])).code).toBe(0);
    await waitFor("nodedown for d", () => events.some((e) => e.type === "nodedown" && e.node === DAEMON));
    const last = events.at(-1)!;
    expect(last.type === "nodedown" && last.reason).toContain("shutdown");
    expect(all.length).toBe(seenByStar);
    expect(events.map((e) => `${e.type} ${e.node}`)).toEqual([
      "nodeup e@localhost",
      `nodeup ${DAEMON}`,
      "nodedown e@localhost",
      `nodedown ${DAEMON}`,
    ]);
  });

  test("events() yields nodeup and nodedown in a for await loop, ending when the node stops", async () => {
    const lib = await libraryNode();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of lib.events()) seen.push(`${e.type} ${e.node}`);
      seen.push("end");
    })();
    const aborted = new AbortController();
    const other: string[] = [];
    const second = (async () => {
      for await (const e of lib.events({ signal: aborted.signal })) other.push(e.type);
      other.push("end");
    })();
    await lib.connect(DAEMON);
    await waitFor("nodeup in the loop", () => seen.length === 1 && other.length === 1);
    aborted.abort();
    await second;
    expect(other).toEqual(["nodeup", "end"]);
    await lib.stop();
    await loop;
    expect(seen).toEqual([`nodeup ${DAEMON}`, `nodedown ${DAEMON}`, "end"]);
  });

  test("await using stops the node when the scope ends", async () => {
    let port = 0;
    {
      await using lib = await startNode({
        name: LIB,
        cookie: cluster.cookie,
        listen: "127.0.0.1",
        epmdPort: cluster.epmdPort,
        runtimeDir: cluster.dir,
        control: false,
      });
      port = lib.port;
      expect((await cluster.cli(["names"])).stdout).toContain(`name lib at port ${port}\n`);
    }
    expect((await cluster.cli(["names"])).stdout).not.toContain("name lib ");
    // The name is free again: a new node can take it at once.
    const again = await libraryNode();
    expect(again.port).toBeGreaterThan(0);
  });

  test("a node that cannot start throws NodeStartError with a reason, not an exit code", async () => {
    const failure = async (options: Partial<NodeOptions>) => {
      const err = await rejection(libraryNode(options));
      expect(err).toBeInstanceOf(NodeStartError);
      expect((err as NodeStartError).name).toBe("NodeStartError");
      expect("exitCode" in (err as object)).toBe(false);
      return { reason: (err as NodeStartError).reason, message: (err as Error).message };
    };
    expect(await failure({ name: "not a name" })).toMatchObject({ reason: "bad_name" });
    expect(await failure({ cookie: "has a space" })).toMatchObject({ reason: "bad_cookie", message: expect.stringContaining("printable ASCII") });
    expect(await failure({ ticktimeSeconds: -1 })).toMatchObject({ reason: "bad_option" });
    expect(await failure({ modulesDir: join(cluster.dir, "no-such-dir") })).toMatchObject({ reason: "unreadable_file" });
    expect(await failure({ name: DAEMON })).toMatchObject({ reason: "name_taken" });
    expect(await failure({ port: daemon.port })).toMatchObject({ reason: "listen_failed" });
  });

  test("stop() ends the node: the daemon sees nodedown, the name leaves the port mapper, calls to it are pang", async () => {
    const lib = await libraryNode();
    lib.register("Person", person);
    expect(await lib.ping(DAEMON)).toBe("pong");
    expect((await cluster.cli(["names"])).stdout).toContain(`name lib at port ${lib.port}\n`);
    await lib.stop();
    await lib.stopped;
    await waitFor("the daemon to log nodedown", () => daemon.log().includes(`nodedown node=${LIB}`));
    expect((await daemonCli(["nodes"])).stdout).toBe("");
    expect((await cluster.cli(["names"])).stdout).not.toContain("name lib ");
    expect((await daemonCli(["ping", LIB])).stdout).toBe("pang\n");
    // A second stop waits for the first and does not throw; the stopped node connects nowhere.
    await lib.stop();
    expect((await lib.callResult(DAEMON, "node", "self")).kind).toBe("noconnection");
  });

  test("stop() lets the calls made through the node finish first, also those of its running functions", async () => {
    const lib = await libraryNode();
    lib.register("Relay", {
      sleepThere(this: CallContext, ms: number) {
        return this.rpc.call(DAEMON, "rpc", "sleep", [ms]);
      },
    });
    expect(await lib.ping(DAEMON)).toBe("pong");
    const direct = lib.call(DAEMON, "rpc", "sleep", [500]);
    const relayed = lib.call(LIB, "Relay", "sleepThere", [200]);
    await lib.stop();
    expect(await direct).toBe(500);
    expect(await relayed).toBe(200);
  });

  test("with its control socket, the CLI drives a library node as it drives a daemon", async () => {
    const lib = await libraryNode({ control: true });
    lib.register("Person", person);
    expect(lib.socket).toBe(join(cluster.dir, `${LIB}.sock`));
    const r = await cluster.cli(["call", DAEMON, "Person", "say_hello", LIB, "--node", LIB]);
    expect(r.stdout).toBe('"Hello, Lib! My name is D."\n');
    expect((await cluster.cli(["nodes", "--node", LIB])).stdout).toBe(`${DAEMON}\n`);
    await lib.stop();
    expect(existsSync(join(cluster.dir, `${LIB}.sock`))).toBe(false);
  });
});

describe("a library node in a Deno program", () => {
  /** Starts the Deno script and waits for its ready line; the test's afterEach stops it. */
  async function denoNode(name: string, join: string) {
    const proc = Bun.spawn(
      [
        DENO, "run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/test/support/deno_library_node.ts`,
        "--name", name, "--cookie", cluster.cookie, "--epmd-port", String(cluster.epmdPort),
        "--runtime-dir", cluster.dir, "--join", join,
      ],
      { env: cluster.env(), stdout: "pipe", stderr: "pipe" },
    );
    children.push(proc);
    let out = "";
    let err = "";
    const decoder = new TextDecoder();
    void (async () => {
      for await (const c of proc.stdout as ReadableStream<Uint8Array>) out += decoder.decode(c, { stream: true });
    })();
    void (async () => {
      for await (const c of proc.stderr as ReadableStream<Uint8Array>) err += decoder.decode(c, { stream: true });
    })();
    await waitFor(`the Deno library node to be ready (${err})`, () => {
      if (proc.exitCode !== null) throw new Error(`the Deno library node exited ${proc.exitCode}:\n${out}\n${err}`);
      return /^ready /m.test(out);
    }, 30_000);
    return { proc, stdout: () => out, stderr: () => err };
  }

  test("joins a daemon, serves its registered module, calls the daemon, and stops on SIGTERM", async () => {
    const deno = await denoNode("dlib@localhost", DAEMON);
    expect(deno.stdout()).toMatch(/^ready dlib@localhost port=\d+$/m);

    // Its call at start went to the Bun daemon and came back.
    await waitFor("the Deno node's own call", () => /^called /m.test(deno.stdout()));
    const called = JSON.parse(/^called (.*)$/m.exec(deno.stdout())![1]);
    expect(called).toEqual({ node: DAEMON, runtime: "bun", pid: daemon.pid, hello: "Hello, Dlib! My name is D." });

    // And the daemon calls into it.
    await waitFor("the daemon to see the Deno node", async () => (await daemonCli(["nodes"])).stdout === "dlib@localhost\n");
    const hello = await daemonCli(["call", "dlib@localhost", "Greeter", "hello", DAEMON]);
    expect({ code: hello.code, stdout: hello.stdout, stderr: hello.stderr })
      .toEqual({ code: 0, stdout: '"Hello, D! This is dlib@localhost on deno, called by d@localhost."\n', stderr: "" });
    const info = JSON.parse((await daemonCli(["call", "dlib@localhost", "system", "info"])).stdout);
    expect(info).toMatchObject({ node: "dlib@localhost", runtime: "deno", pid: deno.proc.pid });
    const failing = await daemonCli(["call", "dlib@localhost", "Greeter", "fail", "on purpose"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("Error: on purpose");

    expect((await cluster.cli(["names"])).stdout).toMatch(/^name dlib at port \d+$/m);
    deno.proc.kill("SIGTERM");
    expect(await deno.proc.exited).toBe(0);
    expect(deno.stdout()).toMatch(/^stopped dlib@localhost$/m);
    await waitFor("the daemon to log nodedown", () => daemon.log().includes("nodedown node=dlib@localhost"));
    expect((await cluster.cli(["names"])).stdout).not.toContain("name dlib ");
  });
});
