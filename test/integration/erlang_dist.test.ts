/**
 * meshrpc nodes in a real Elixir cluster (erlang-nox, elixir): an Elixir
 * node pings, lists and calls a TypeScript node (under Bun and under Deno),
 * and the TypeScript node calls Elixir, every outcome arriving as what the
 * other side's own callers expect. The tests run their own epmd on a free
 * port and stop every epmd and node they start, by pid.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as net from "node:net";
import { join } from "node:path";
import { Atom, type MeshNode, Pid, startNode, Tuple, type Value } from "../../lib/mod.ts";
import { hasErlang, skipNote } from "../support/erlang.ts";
import { Child, elixirProbe, epmdNames, freePort, PERSON_EX, registered, startElixir, startEpmd } from "../support/erlang_peer.ts";

const ROOT = join(import.meta.dir, "..", "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const COOKIE = "erlcookie";
const RUN = hasErlang();
if (!RUN) skipNote("test/integration/erlang_dist.test.ts");


let dir: string;
let epmdPort: number;
let epmd: Child;
let ex: Child;
const children: Child[] = [];

async function elixirNode(name: string, erlFlags?: string): Promise<Child> {
  const c = await startElixir(name, COOKIE, epmdPort, join(dir, "person.ex"), erlFlags);
  children.push(c);
  return c;
}

function tsNode(
  name: string,
  cookie = COOKIE,
  more: { hidden?: boolean; ticktimeSeconds?: number; erlangEpmdPort?: number } = {},
): Promise<MeshNode> {
  return startNode({
    erlangEpmdPort: epmdPort,
    ...more,
    name: `${name}@localhost`,
    cookie,
    erlang: true,
    epmd: false,
    control: false,
    listen: "127.0.0.1",
    runtimeDir: dir,
  });
}

describe.skipIf(!RUN)("a meshrpc node in an Elixir cluster", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "meshrpc-erl-"));
    writeFileSync(join(dir, "person.ex"), PERSON_EX);
    epmdPort = await freePort();
    epmd = await startEpmd(epmdPort);
    ex = await elixirNode("ex");
  }, 30_000);

  afterAll(async () => {
    for (const c of children) await c.stop("SIGKILL");
    await epmd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const runtime of ["bun", "deno"] as const) {
    test(`under ${runtime}: Elixir pings, lists and calls it; it calls Elixir with every outcome`, async () => {
      const name = `ts${runtime}`;
      const argv = runtime === "bun"
        ? [process.execPath, join(ROOT, "test/support/erlang_ts_node.ts")]
        : [DENO, "run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "test/support/erlang_ts_node.ts")];
      const ts = new Child([...argv, `${name}@localhost`, COOKIE, String(epmdPort), dir, "ex@localhost"], {});
      children.push(ts);
      await ts.line(/^done$/, 30_000);
      const result = (label: string) => JSON.parse(ts.out.match(new RegExp(`^result ${label} (.*)$`, "m"))![1]);
      expect(result("ping")).toBe("pong");
      expect(result("hello")).toEqual({ kind: "ok", value: `Hello, Ex! My name is Ts${runtime}.` });
      expect(result("raise")).toMatchObject({ kind: "exception", name: "RuntimeError", message: "boom" });
      expect(result("undef")).toEqual({ kind: "undef", module: "Elixir.Person", function: "nope" });
      expect(result("timeout")).toEqual({ kind: "timeout", node: "ex@localhost", timeoutMs: 200 });
      // Elixir's IO.puts goes to this node's group leader, which answers: no hang.
      expect(result("puts")).toEqual({ kind: "ok", value: { $atom: "ok" } });
      // TS → ex → TS on the one connection.
      expect(result("relay")).toEqual({ kind: "ok", value: `Hello, Ex! My name is Ts${runtime}.` });
      expect(result("nodes")).toEqual(["ex@localhost"]);

      const out = await elixirProbe(`probe${runtime}@localhost`, COOKIE, epmdPort, `
        t = :"${name}@localhost"
        show = fn label, v -> IO.puts("#{label} #{inspect(v)}") end
        show.("ping", Node.ping(t))
        show.("listed", t in Node.list())
        show.("rpc", :rpc.call(t, Person, :say_hello, [node()]))
        show.("erpc", :erpc.call(t, Person, :say_hello, [node()]))
        show.("rpc_undef", :rpc.call(t, Person, :nope, []))
        show.("erpc_undef", (try do :erpc.call(t, Person, :nope, []) rescue e in ErlangError -> e.original end))
        show.("erpc_raise", (try do :erpc.call(t, Boom, :boom, []) rescue e in ErlangError -> elem(e.original, 1) end))
        show.("rpc_raise", :rpc.call(t, Boom, :boom, []))
        show.("erpc_throw", (try do :erpc.call(t, Boom, :toss, []) catch k, v -> {k, v} end))
        show.("rpc_throw", :rpc.call(t, Boom, :toss, []))
        show.("puts", :erpc.call(t, Talk, :puts, ["hi"]))
        show.("erpc_timeout", (try do :erpc.call(t, Slow, :wait, [], 200) catch :error, e -> e end))
        show.("rpc_timeout", :rpc.call(t, Slow, :wait, [], 200))
        show.("cast", :erpc.cast(t, Talk, :puts, ["cast"]))
        show.("rpc_cast", :rpc.cast(t, Talk, :puts, ["rpc cast"]))
        :timer.sleep(300)
      `);
      const line = (label: string) => out.match(new RegExp(`^${label} (.*)$`, "m"))?.[1];
      expect(line("ping")).toBe(":pong");
      expect(line("listed")).toBe("true");
      expect(line("rpc")).toBe(`"Hello, Probe${runtime}! My name is Ts${runtime}."`);
      expect(line("erpc")).toBe(`"Hello, Probe${runtime}! My name is Ts${runtime}."`);
      expect(line("rpc_undef")).toBe("{:badrpc, {:EXIT, {:undef, [{Person, :nope, [], []}]}}}");
      expect(line("erpc_undef")).toBe("{:exception, :undef, [{Person, :nope, [], []}]}");
      expect(line("erpc_raise")).toBe(`%RuntimeError{message: "Error: boom"}`);
      expect(line("rpc_raise")).toBe(`{:badrpc, {:EXIT, {%RuntimeError{message: "Error: boom"}, [{Boom, :boom, 0, []}]}}}`);
      expect(line("erpc_throw")).toBe(`{:throw, "oops"}`);
      expect(line("rpc_throw")).toBe(`"oops"`);
      expect(line("puts")).toBe(`"said"`);
      expect(line("erpc_timeout")).toBe("{:erpc, :timeout}");
      expect(line("rpc_timeout")).toBe("{:badrpc, :timeout}");
      // The caller's timeout reached the TypeScript function as its signal.
      expect(ts.out).toContain("aborted\n");
      await ts.line(/^printed rpc cast$/);
      expect(ts.out).toContain("printed cast\n");
      await ts.stop();
      expect(ts.out).toContain("stopped");
    }, 60_000);
  }

  test("values round-trip TypeScript → Elixir → TypeScript unchanged", async () => {
    await using node = await tsNode("tsvalues");
    const pid = await node.call("ex@localhost", "erlang", "self", []);
    expect(pid).toBeInstanceOf(Pid);
    const values: Value[] = [
      123456789012345678901234567890n,
      -(2n ** 64n),
      3.25,
      -0.5,
      2 ** 40,
      "héllo ✓",
      new Uint8Array([0xff, 0x00, 0xfe]),
      new Atom("an_atom"),
      new Tuple([new Atom("ok"), 1, [2, 3]]),
      { outer: { inner: [1, { deep: "x" }] } },
      new Map<Value, Value>([[new Atom("k"), new Tuple([1])], [1, "one"]]),
      [1, [2, [3]], "four"],
      pid as Value,
      true,
      null,
    ];
    for (const v of values) {
      const r = await node.callResult("ex@localhost", "Elixir.Function", "identity", [v]);
      expect(r).toEqual({ kind: "ok", value: v });
    }
    // Elixir sees the types it should: a bignum, a float, an atom, a tuple, a binary that is no string, a map.
    const checks: [string, Value][] = [
      ["is_integer", 123456789012345678901234567890n],
      ["is_float", 3.25],
      ["is_atom", new Atom("a")],
      ["is_tuple", new Tuple([1])],
      ["is_binary", new Uint8Array([0xff])],
      ["is_map", { a: 1 }],
      ["is_pid", pid as Value],
    ];
    for (const [check, v] of checks) expect(await node.call("ex@localhost", "erlang", check, [v])).toBe(true);
    const badarg = await node.callResult("ex@localhost", "Elixir.Function", "identity", [NaN]);
    expect(badarg.kind).toBe("badarg");
    // One bad term fails that call alone: the link is still up.
    expect(await node.callResult("ex@localhost", "erlang", "+", [1, 2])).toEqual({ kind: "ok", value: 3 });
  }, 30_000);

  test("a call given up (timeout or an aborted signal) ends its Elixir process", async () => {
    await using node = await tsNode("tsgiveup");
    const whereis = (name: string) => node.call("ex@localhost", "erlang", "whereis", [new Atom(name)]);
    const timedOut = await node.callResult("ex@localhost", "Elixir.Person", "slow_named", [new Atom("slow_t"), 10_000], { timeoutMs: 300 });
    expect(timedOut).toEqual({ kind: "timeout", node: "ex@localhost", timeoutMs: 300 });
    const abort = new AbortController();
    const aborted = node.callResult("ex@localhost", "Elixir.Person", "slow_named", [new Atom("slow_a"), 10_000], { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 300));
    expect(await whereis("slow_a")).toBeInstanceOf(Pid);
    abort.abort(new Error("no longer wanted"));
    await expect(aborted).rejects.toThrow("no longer wanted");
    await new Promise((r) => setTimeout(r, 100));
    // Erlang's whereis answers the atom `undefined` for a name no process holds.
    expect(Atom.is(await whereis("slow_t"), "undefined")).toBe(true);
    expect(Atom.is(await whereis("slow_a"), "undefined")).toBe(true);
  }, 30_000);

  test("a killed Elixir node ends a call in flight noconnection in under a second", async () => {
    const victim = await elixirNode("victim");
    await using node = await tsNode("tskill");
    const call = node.callResult("victim@localhost", "Elixir.Person", "slow", [10_000], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    const killed = Date.now();
    victim.proc.kill("SIGKILL");
    const r = await call;
    expect(r.kind).toBe("noconnection");
    expect(Date.now() - killed).toBeLessThan(1000);
  }, 30_000);

  test("a wrong cookie is pang on both sides", async () => {
    await using node = await tsNode("tswrong", "not-the-cookie");
    expect(await node.ping("ex@localhost")).toBe("pang");
    const out = await elixirProbe("probecookie@localhost", COOKIE, epmdPort, `IO.puts(inspect(Node.ping(:"tswrong@localhost")))`);
    expect(out.trim()).toBe(":pang");
    expect(node.nodes()).toEqual([]);
  }, 30_000);

  test("nodeup and nodedown fire for an Elixir peer; nodes lists it while it is up", async () => {
    await using node = await tsNode("tsevents");
    const events: string[] = [];
    node.on("*", (e) => events.push(`${e.type} ${e.node}`));
    expect(await node.ping("ex@localhost")).toBe("pong");
    expect(node.nodes()).toContain("ex@localhost");
    expect(await node.callResult("ex@localhost", "erlang", "node", [])).toEqual({ kind: "ok", value: new Atom("ex@localhost") });
    expect(node.disconnect("ex@localhost")).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(["nodeup ex@localhost", "nodedown ex@localhost"]);
  }, 30_000);

  test("ticks keep an idle link up, and a frozen Elixir node is dropped after the ticktime", async () => {
    const ticker = await elixirNode("ticker", "-kernel net_ticktime 4");
    await using node = await tsNode("tstick", COOKIE, { ticktimeSeconds: 4 });
    const down: number[] = [];
    node.on("nodedown", (e) => e.node === "ticker@localhost" && down.push(Date.now()));
    expect(await node.ping("ticker@localhost")).toBe("pong");
    // Idle for longer than both ticktimes: the ticks must keep it.
    await new Promise((r) => setTimeout(r, 6000));
    expect(node.nodes()).toContain("ticker@localhost");
    expect(down).toEqual([]);
    const frozen = Date.now();
    ticker.proc.kill("SIGSTOP");
    try {
      while (down.length === 0 && Date.now() - frozen < 10_000) await new Promise((r) => setTimeout(r, 100));
    } finally {
      ticker.proc.kill("SIGCONT");
    }
    expect(down.length).toBe(1);
    expect(down[0] - frozen).toBeLessThan(6000);
    expect(node.nodes()).not.toContain("ticker@localhost");
  }, 40_000);

  test("a hidden TypeScript node is in Node.list(:hidden), not Node.list()", async () => {
    await using node = await tsNode("tshidden", COOKIE, { hidden: true });
    const out = await elixirProbe("probehidden@localhost", COOKIE, epmdPort, `
      t = :"tshidden@localhost"
      IO.puts(inspect({Node.ping(t), t in Node.list(), t in Node.list(:hidden)}))
    `);
    expect(out.trim()).toBe("{:pong, false, true}");
    expect(await node.ping("ex@localhost")).toBe("pong");
    expect(node.nodes()).toEqual([]);
    expect(node.hiddenNodes()).toEqual(["ex@localhost"]);
  }, 30_000);

  test("strangers: past 16 handshakes from one source, or 128 in all, a connection is closed at once; garbage is refused", async () => {
    const lines: string[] = [];
    const log = { info() {}, warn: (e: string, f?: object) => lines.push(`${e} ${JSON.stringify(f)}`), error() {} };
    await using node = await startNode({
      name: "tsstrangers@localhost", cookie: COOKIE, erlang: true, erlangEpmdPort: epmdPort,
      epmd: false, control: false, listen: "127.0.0.1", runtimeDir: dir, log,
    });
    const port = Number(/name tsstrangers at port (\d+)/.exec(epmdNames(epmdPort))![1]);
    const open = (localAddress?: string): Promise<net.Socket> =>
      new Promise((resolve, reject) => {
        const s = net.connect({ port, host: "127.0.0.1", localAddress }, () => resolve(s));
        s.on("error", reject);
      });
    const closesAtOnce = (s: net.Socket) =>
      new Promise<boolean>((r) => {
        s.on("close", () => r(true));
        setTimeout(() => r(false), 2000);
      });
    // Another "host" (127.0.0.2) gets 16 places.
    const fromOther = await Promise.all(Array.from({ length: 16 }, () => open("127.0.0.2")));
    expect(await closesAtOnce(await open("127.0.0.2"))).toBe(true);
    // This host's own address counts toward the total only: 112 more fill the 128.
    const fromHere = await Promise.all(Array.from({ length: 112 }, () => open()));
    expect(await closesAtOnce(await open())).toBe(true);
    for (const s of [...fromOther, ...fromHere]) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const junk = await open();
    junk.write(new Uint8Array([0, 3, 0x6e, 1, 2]));
    // Refused and closed at once (its log line may be rate-limited away).
    await new Promise<void>((r) => junk.on("close", () => r()));
    expect(lines.some((l) => l.includes("erlang_handshake_refused") && l.includes('"reason":"busy"'))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(12);
    void node;
  }, 30_000);

  test("after epmd restarts, the node registers again", async () => {
    const port = await freePort();
    let own = await startEpmd(port);
    children.push(own);
    await using node = await tsNode("tsagain", COOKIE, { erlangEpmdPort: port });
    await registered(port, "tsagain");
    await own.stop();
    own = await startEpmd(port);
    children.push(own);
    await registered(port, "tsagain", 15_000);
    void node;
  }, 30_000);

  void ex;
});
