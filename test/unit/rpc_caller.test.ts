import { afterEach, describe, expect, test } from "bun:test";
import type { Mesh } from "../../lib/distribution/mesh.ts";
import { type CallResult, type Kind, noconnection, ok } from "../../lib/result.ts";
import { Rpc } from "../../lib/rpc/caller.ts";
import type { NodeApi } from "../../lib/rpc/context.ts";
import { Modules } from "../../lib/rpc/modules.ts";
import { flush } from "../support/memory_transport.ts";
import { closeLinks, framesFrom, fuga, hoge, setup } from "../support/links.ts";

afterEach(closeLinks);

/** hoge's Rpc over its link to fuga (whose calls `fugaCall` answers); any other node has no route. */
function rpcOverLink(fugaCall?: Parameters<typeof setup>[0]) {
  const linked = setup(fugaCall);
  const mesh = {
    link: (node: string) => (node === fuga.name ? linked.a : undefined),
    nodes: () => [fuga.name],
    connect: (node: string) => Promise.resolve(noconnection(node, "no route in this test")),
  };
  const made: Kind[] = [];
  const rpc = new Rpc({
    self: hoge.name,
    api: {} as NodeApi,
    modules: new Modules(),
    mesh: mesh as unknown as Mesh,
    count: (direction, kind) => void (direction === "made" && made.push(kind)),
  });
  return { ...linked, rpc, made };
}

describe("Rpc.call and multicall over a link", () => {
  test("a call resolves with the callee's outcome, is counted once, and leaves nothing in flight", async () => {
    const { rpc, made } = rpcOverLink();
    const pending = rpc.call(fuga.name, "Person", "say_hello", ["hoge@localhost"]);
    expect(rpc.inFlight).toBe(1);
    expect(await pending).toEqual(ok(["Person", "say_hello", ["hoge@localhost"]]));
    expect(made).toEqual(["ok"]);
    expect(rpc.inFlight).toBe(0);
  });

  test("arguments that are not a list are a badarg, counted, with nothing sent", async () => {
    const { rpc, made, pair } = rpcOverLink();
    const r = await rpc.call(fuga.name, "M", "f", "x" as never);
    expect(r.kind).toBe("badarg");
    expect(made).toEqual(["badarg"]);
    expect(rpc.inFlight).toBe(0);
    expect(framesFrom(pair, "a")).toEqual([]);
  });

  test("a signal that aborts mid-call rejects with its reason, ends the call in flight and sends a cancel", async () => {
    let answer: ((r: CallResult) => void) | undefined;
    const { rpc, made, pair } = rpcOverLink(() => new Promise((resolve) => (answer = resolve)));
    const controller = new AbortController();
    const pending = rpc.call(fuga.name, "M", "slow", [], { signal: controller.signal });
    await flush();
    expect(rpc.inFlight).toBe(1);
    const reason = new Error("the caller gave up");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(rpc.inFlight).toBe(0);
    // No outcome arrived: nothing to count.
    expect(made).toEqual([]);
    await flush();
    expect(framesFrom(pair, "a").map((f) => f.type)).toEqual(["call", "cancel"]);
    answer?.(ok(1));
  });

  test("an aborted signal rejects before anything is sent", async () => {
    const { rpc, pair } = rpcOverLink();
    const reason = new Error("already");
    await expect(rpc.call(fuga.name, "M", "f", [], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(rpc.inFlight).toBe(0);
    await flush();
    expect(framesFrom(pair, "a")).toEqual([]);
  });

  test("multicall gives one result per node, in the order asked, each under its node's name", async () => {
    const { rpc, made } = rpcOverLink((req) => Promise.resolve(ok(req.args[0])));
    const results = await rpc.multicall("rpc", "echo", ["hello"], { nodes: ["nobody@localhost", fuga.name] });
    expect(results).toEqual([
      { node: "nobody@localhost", result: noconnection("nobody@localhost", "no route in this test") },
      { node: fuga.name, result: ok("hello") },
    ]);
    expect(made.sort()).toEqual(["noconnection", "ok"]);
    expect(rpc.inFlight).toBe(0);
  });
});
