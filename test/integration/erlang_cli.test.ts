/**
 * The acceptance scenario of issue 9 through the edges: `meshrpc start
 * --erlang`, then the CLI and `POST /rpc` reach a real Elixir node by name
 * (values, Elixir raise, undef, a call back into TypeScript, a killed node),
 * and Elixir's `:rpc.call` reaches the daemon's modules.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasErlang, skipNote } from "../support/erlang.ts";
import { type Child, elixirProbe, freePort, PERSON_EX, startElixir, startEpmd } from "../support/erlang_peer.ts";
import { Cluster, FIXTURES, type NodeProc } from "../support/cluster.ts";

const RUN = hasErlang();
if (!RUN) skipNote("test/integration/erlang_cli.test.ts");

describe.skipIf(!RUN)("meshrpc start --erlang", () => {
  let cluster: Cluster;
  let erlEpmd: Child;
  let ex: Child;
  let ts: NodeProc;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = new Cluster();
    const port = await freePort();
    env = { ERL_EPMD_PORT: String(port) };
    erlEpmd = await startEpmd(port);
    writeFileSync(join(cluster.dir, "person.ex"), PERSON_EX);
    ex = await startElixir("ex", cluster.cookie, port, join(cluster.dir, "person.ex"));
    ts = await cluster.start("ts@localhost", { args: ["--erlang", "--modules", join(FIXTURES, "modules")], env });
  }, 60_000);

  afterAll(async () => {
    await cluster?.cleanup();
    await ex?.stop("SIGKILL");
    await erlEpmd?.stop();
  });

  test("the CLI pings, calls and lists an Elixir node, with its outcomes and exit codes", async () => {
    const cli = (...args: string[]) => cluster.cli([...args, "--node", "ts@localhost"], { env });
    expect(await cli("ping", "ex@localhost")).toMatchObject({ code: 0, stdout: "pong\n" });
    const hello = await cli("call", "ex@localhost", "Elixir.Person", "say_hello", "--args", '[{"$atom":"ts@localhost"}]');
    expect(hello).toMatchObject({ code: 0, stdout: '"Hello, Ex! My name is Ts."\n' });
    const raised = await cli("call", "ex@localhost", "Elixir.Person", "boom");
    expect(raised.code).toBe(1);
    expect(raised.stderr).toContain("RuntimeError: boom");
    const undef = await cli("call", "ex@localhost", "Elixir.Person", "nope");
    expect(undef.code).toBe(1);
    expect(undef.stderr).toContain("undef: Elixir.Person.nope");
    // TS → ex → TS on one link.
    const relay = await cli("call", "ex@localhost", "Elixir.Relay", "ask_back", "--args", '[{"$atom":"ts@localhost"}]');
    expect(relay).toMatchObject({ code: 0, stdout: '"Hello, Ex! My name is Ts."\n' });
    expect((await cli("nodes")).stdout).toContain("ex@localhost");
  }, 60_000);

  test("POST /rpc reaches the Elixir node, atoms written as $atom", async () => {
    const r = await cluster.rpc(ts.port, {
      node: "ex@localhost",
      module: "Elixir.Person",
      function: "say_hello",
      args: [{ $atom: "ts@localhost" }],
    });
    expect(r).toEqual({ status: 200, body: { ok: "Hello, Ex! My name is Ts." } });
  });

  test("Elixir's :rpc.call and :erpc.call reach the daemon's modules", async () => {
    const out = await elixirProbe("probe@localhost", cluster.cookie, Number(env.ERL_EPMD_PORT), `
      t = :"ts@localhost"
      IO.puts(inspect(Node.ping(t)))
      IO.puts(:rpc.call(t, Person, :say_hello, [node()]))
      IO.puts(:erpc.call(t, Person, :say_hello, [node()]))
    `);
    expect(out).toBe(":pong\nHello, Probe! My name is Ts.\nHello, Probe! My name is Ts.\n");
  }, 30_000);

  test("a killed Elixir node is noconnection, exit 3", async () => {
    await ex.stop("SIGKILL");
    const r = await cluster.cli(["call", "ex@localhost", "Elixir.Person", "boom", "--node", "ts@localhost"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("noconnection");
  });
});
