/**
 * Nodes on different runtimes in one cluster (SPEC §8): a Bun node from
 * source, a Deno node from source and the compiled binary ping, list and
 * call each other, and a mix of all three forms one full mesh.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { Cluster, FIXTURES, type Flavor, waitFor } from "../support/cluster.ts";

// Deno compiles the sources on its first start; a loaded machine can be slow.
setDefaultTimeout(60_000);

const MODULES = ["--modules", join(FIXTURES, "modules")];

/** What `system info` reports as the runtime for each way of running a node. */
const RUNTIME_OF: Record<Flavor, string> = { bun: "bun", binary: "bun", deno: "deno" };

let cluster: Cluster;
afterEach(() => cluster.cleanup());

/** Runs the CLI (as `flavor`) against the daemon `self`; fails the test on a non-zero exit. */
async function cli(self: string, args: string[], flavor: Flavor = "bun"): Promise<string> {
  const r = await cluster.cli([...args, "--node", self], { flavor });
  if (r.code !== 0) throw new Error(`meshrpc ${args.join(" ")} --node ${self} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function nodesOf(self: string): Promise<string[]> {
  return (await cli(self, ["nodes"])).split("\n").filter((l) => l);
}

const PAIRS: [Flavor, Flavor][] = [["bun", "deno"], ["deno", "binary"], ["binary", "bun"]];

for (const [first, second] of PAIRS) {
  describe(`a ${first} node and a ${second} node`, () => {
    test("join one cluster, ping and list each other, and call each other both ways", async () => {
      cluster = new Cluster();
      const a = await cluster.start("a@localhost", { flavor: first, args: MODULES });
      const b = await cluster.start("b@localhost", { flavor: second, args: [...MODULES, "--join", "a@localhost"] });
      await waitFor("a to see b join", async () => (await nodesOf("a@localhost")).includes("b@localhost"));

      // Each side's own CLI, so the control plane of both runtimes is used too.
      expect(await cli("a@localhost", ["ping", "b@localhost"], first)).toBe("pong\n");
      expect(await cli("b@localhost", ["ping", "a@localhost"], second)).toBe("pong\n");
      expect(await nodesOf("a@localhost")).toEqual(["b@localhost"]);
      expect(await nodesOf("b@localhost")).toEqual(["a@localhost"]);

      const infoOfB = JSON.parse(await cli("a@localhost", ["call", "b@localhost", "system", "info"]));
      expect(infoOfB).toMatchObject({ node: "b@localhost", runtime: RUNTIME_OF[second], pid: b.pid, nodes: ["a@localhost"] });
      const infoOfA = JSON.parse(await cli("b@localhost", ["call", "a@localhost", "system", "info"]));
      expect(infoOfA).toMatchObject({ node: "a@localhost", runtime: RUNTIME_OF[first], pid: a.pid, nodes: ["b@localhost"] });

      expect(JSON.parse(await cli("a@localhost", ["call", "b@localhost", "Person", "say_hello", "a@localhost"])))
        .toBe("Hello, A! My name is B.");
      expect(JSON.parse(await cli("b@localhost", ["call", "a@localhost", "Person", "whoami"])))
        .toEqual({ self: "a@localhost", caller: "b@localhost" });
    });

    test("carry bigints, bytes, dates, maps and undefined across the runtimes unchanged", async () => {
      cluster = new Cluster();
      const a = await cluster.start("a@localhost", { flavor: first, args: MODULES });
      const b = await cluster.start("b@localhost", { flavor: second, args: MODULES });
      const sent = [123456789012345678901234567890n, new Uint8Array([0, 255, 7]), new Date(86_400_000), undefined];
      for (const [via, other] of [[a, b], [b, a]]) {
        // a CBOR body to one node, forwarded over the link to the other: both codecs and the frame layer.
        const res = await fetch(`http://127.0.0.1:${via.port}/rpc`, {
          method: "POST",
          headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/cbor" },
          body: encode({ node: other.name, module: "Types", function: "sample", args: [] }) as BodyInit,
        });
        expect(res.status).toBe(200);
        const { ok } = decode(new Uint8Array(await res.arrayBuffer())) as { ok: Record<string, unknown> };
        expect(ok.big).toBe(123456789012345678901234567890n);
        expect(ok.small).toBe(5n);
        expect(ok.bytes).toEqual(new Uint8Array([1, 2, 3]));
        expect(ok.date).toEqual(new Date("2026-01-02T03:04:05.678Z"));
        expect("nothing" in ok && ok.nothing === undefined).toBe(true);
        expect(ok.map).toEqual(new Map<unknown, unknown>([[1, "one"], ["two", 2]]));

        const echo = await fetch(`http://127.0.0.1:${via.port}/rpc`, {
          method: "POST",
          headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/cbor" },
          body: encode({ node: other.name, module: "rpc", function: "echo", args: [sent] }) as BodyInit,
        });
        expect(decode(new Uint8Array(await echo.arrayBuffer()))).toEqual({ ok: sent });
      }
    });
  });
}

describe("a bun, a deno and a binary node", () => {
  test("form a full mesh from one --join each", async () => {
    cluster = new Cluster();
    const names = ["bun@localhost", "deno@localhost", "binary@localhost"];
    await cluster.start("bun@localhost", { flavor: "bun", args: MODULES });
    await cluster.start("deno@localhost", { flavor: "deno", args: [...MODULES, "--join", "bun@localhost"] });
    await cluster.start("binary@localhost", { flavor: "binary", args: [...MODULES, "--join", "deno@localhost"] });

    for (const self of names) {
      const others = names.filter((n) => n !== self).sort();
      await waitFor(`${self} to be connected to ${others.join(" and ")}`, async () =>
        JSON.stringify(await nodesOf(self)) === JSON.stringify(others));
    }

    // bun and binary met only through deno; a multicall from each reaches every runtime.
    for (const self of names) {
      const rows = JSON.parse(await cli(self, ["multicall", "system", "info"]));
      expect(rows.map((r: { node: string; ok: { runtime: string } }) => [r.node, r.ok.runtime]).sort()).toEqual([
        ["binary@localhost", "bun"],
        ["bun@localhost", "bun"],
        ["deno@localhost", "deno"],
      ]);
    }
    expect(JSON.parse(await cli("binary@localhost", ["call", "bun@localhost", "Person", "whoami"])))
      .toEqual({ self: "bun@localhost", caller: "binary@localhost" });
  });
});
