/**
 * The mesh with in-memory connections: several Mesh instances whose `dial`
 * hands one end of a memory pair to the other mesh's `accept`.
 */
import { describe, expect, test } from "bun:test";
import { Mesh } from "../../lib/distribution/mesh.ts";
import { NodeEvents, type NodeEvent } from "../../lib/core/events.ts";
import { silentLogger } from "../../lib/core/log.ts";
import { ok } from "../../lib/result.ts";
import { worldDialer } from "../support/memory_transport.ts";

type World = Map<string, Mesh>;

function node(world: World, name: string, opts: { hidden?: boolean; cookie?: string } = {}) {
  const events = new NodeEvents();
  const seen: NodeEvent[] = [];
  events.on("*", (e) => seen.push(e));
  const mesh = new Mesh({
    self: { name, port: 1000 + world.size, hidden: opts.hidden ?? false, creation: crypto.randomUUID() },
    cookie: opts.cookie ?? "cookie",
    ticktimeMs: 60_000,
    setupTimeoutMs: 2000,
    dial: worldDialer(world),
    handler: {
      call: (req) => Promise.resolve(ok(`${name} served ${req.module}.${req.function} for ${req.caller}`)),
      cast: () => {},
    },
    events,
    log: silentLogger,
  });
  world.set(name, mesh);
  return { mesh, seen };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("the mesh", () => {
  test("connects on first use and calls over the link", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    node(world, "b@h");
    const r = await a.mesh.connect("b@h");
    expect(r.kind).toBe("ok");
    if (r.kind !== "ok") return;
    expect(await r.link.call("M", "f", [])).toEqual(ok("b@h served M.f for a@h"));
    expect(a.seen.map((e) => e.type)).toEqual(["nodeup"]);
  });

  test("finds a link however the node's name is spelt, and nothing for a node it has no link to", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    node(world, "b@h");
    const r = await a.mesh.connect("b@h");
    if (r.kind !== "ok") throw new Error(`no link: ${JSON.stringify(r)}`);
    expect(a.mesh.link("b@h")).toBe(r.link);
    expect(a.mesh.link("b@h:1001")).toBe(r.link);
    expect(a.mesh.link("b@H")).toBe(r.link);
    expect(a.mesh.link("c@h")).toBeUndefined();
    expect(a.mesh.link("not a node name")).toBeUndefined();
  });

  test("ends with one link when two nodes dial each other at once", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    const b = node(world, "b@h");
    const [ra, rb] = await Promise.all([a.mesh.connect("b@h"), b.mesh.connect("a@h")]);
    expect(ra.kind).toBe("ok");
    expect(rb.kind).toBe("ok");
    await settle();
    expect(a.mesh.nodes()).toEqual(["b@h"]);
    expect(b.mesh.nodes()).toEqual(["a@h"]);
    expect(a.seen.filter((e) => e.type === "nodeup")).toHaveLength(1);
    expect(b.seen.filter((e) => e.type === "nodeup")).toHaveLength(1);
    expect(a.seen.filter((e) => e.type === "nodedown")).toHaveLength(0);
    // Both sides use the same surviving link: a call each way works.
    expect((await a.mesh.link("b@h")!.call("M", "f", [])).kind).toBe("ok");
    expect((await b.mesh.link("a@h")!.call("M", "f", [])).kind).toBe("ok");
  });

  test("is transitive: joining one member connects to the nodes it knows", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    node(world, "b@h");
    const c = node(world, "c@h");
    await a.mesh.connect("b@h");
    await c.mesh.connect("b@h");
    await settle();
    expect(c.mesh.nodes()).toEqual(["a@h", "b@h"]);
    expect(a.mesh.nodes()).toEqual(["b@h", "c@h"]);
  });

  test("nodes that join one at the same moment end fully meshed, with one nodeup per peer and no nodedown", async () => {
    const world: World = new Map();
    const hub = node(world, "hub@h");
    const joiners = Array.from({ length: 12 }, (_, i) => node(world, `m${String(i).padStart(2, "0")}@h`));
    // Earlier joiners, so that the simultaneous ones learn of each other and of them from peers frames.
    await Promise.all(joiners.slice(0, 4).map((j) => j.mesh.connect("hub@h")));
    await Promise.all(joiners.slice(4).map((j) => j.mesh.connect("hub@h")));
    const all = [hub, ...joiners];
    for (let i = 0; i < 200 && !all.every((n) => n.mesh.nodes().length === all.length - 1); i++) await settle();
    for (const n of all) {
      expect(n.mesh.nodes()).toHaveLength(all.length - 1);
      const ups = n.seen.filter((e) => e.type === "nodeup").map((e) => e.node);
      expect(ups.sort()).toEqual(n.mesh.nodes());
      expect(n.seen.filter((e) => e.type === "nodedown")).toEqual([]);
    }
  });

  test("keeps hidden nodes out of the transitive mesh", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    node(world, "b@h");
    const h = node(world, "h@h", { hidden: true });
    await a.mesh.connect("b@h");
    await h.mesh.connect("b@h");
    await settle();
    expect(h.mesh.nodes()).toEqual(["b@h"]);
    expect(a.mesh.nodes()).toEqual(["b@h"]);
    expect(world.get("b@h")!.hiddenNodes()).toEqual(["h@h"]);
  });

  test("refuses a wrong cookie with the reason, and emits no nodeup", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    node(world, "b@h", { cookie: "other" });
    const r = await a.mesh.connect("b@h");
    expect(r.kind).toBe("noconnection");
    expect(r.kind === "noconnection" && r.reason).toContain("cookie");
    expect(a.seen).toEqual([]);
  });

  test("settles a pending call noconnection and emits nodedown when the peer disconnects", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    const b = node(world, "b@h");
    const r = await a.mesh.connect("b@h");
    if (r.kind !== "ok") throw new Error("not connected");
    b.mesh.disconnect("a@h", "going away");
    await settle();
    expect(a.mesh.nodes()).toEqual([]);
    expect(a.seen.at(-1)).toMatchObject({ type: "nodedown", node: "b@h" });
    expect((await r.link.call("M", "f", [])).kind).toBe("noconnection");
  });

  test("answers noconnection for itself, bad names, and after close", async () => {
    const world: World = new Map();
    const a = node(world, "a@h");
    expect((await a.mesh.connect("a@h")).kind).toBe("noconnection");
    expect((await a.mesh.connect("not a name")).kind).toBe("noconnection");
    a.mesh.close();
    expect((await a.mesh.connect("b@h")).kind).toBe("noconnection");
  });
});
