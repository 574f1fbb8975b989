/**
 * Deno nodes dial links with meshrpc's own WebSocket client
 * (lib/runtime/ws_dial_deno.ts), not Deno's built-in one: a Deno node that
 * dials a Bun node and a Deno node carries messages over 1 KiB (where the
 * built-in client stalled on Nagle's algorithm) and a 1 MiB value, which the
 * link fragments into 256 KiB messages, both ways.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { Cluster, waitFor } from "../support/cluster.ts";

// Deno compiles the sources on its first start; a loaded machine can be slow.
setDefaultTimeout(60_000);

const cluster = new Cluster();
afterAll(() => cluster.cleanup());

async function echo(port: number, node: string, value: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/cbor" },
    body: encode({ node, module: "rpc", function: "echo", args: [value] }) as BodyInit,
  });
  expect(res.status).toBe(200);
  return decode(new Uint8Array(await res.arrayBuffer()));
}

async function nodesOf(self: string): Promise<string[]> {
  const r = await cluster.cli(["nodes", "--node", self]);
  return r.stdout.split("\n").filter((l) => l);
}

test("a Deno node's dialled links to a Bun and a Deno node carry 1.5 KiB and 1 MiB messages", async () => {
  const bun = await cluster.start("bun@localhost", { flavor: "bun" });
  // Each Deno node dials the node it joins.
  const deno1 = await cluster.start("deno1@localhost", { flavor: "deno", args: ["--join", "bun@localhost"] });
  const deno2 = await cluster.start("deno2@localhost", { flavor: "deno", args: ["--join", "deno1@localhost"] });
  await waitFor("deno2 to see both others", async () => (await nodesOf("deno2@localhost")).length === 2);

  const medium = new Uint8Array(1500).map((_, i) => i & 0xff);
  const large = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const pairs: [{ port: number }, string][] = [
    [deno1, "bun@localhost"],
    [bun, "deno1@localhost"],
    [deno2, "deno1@localhost"],
    [deno1, "deno2@localhost"],
    [deno2, "bun@localhost"],
  ];
  for (const [via, other] of pairs) {
    // Many at once: batches of frames well past 1 KiB on the dialled side.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => echo(via.port, other, [i, medium])));
    expect(many).toEqual(Array.from({ length: 20 }, (_, i) => ({ ok: [i, medium] })));
    expect(await echo(via.port, other, large)).toEqual({ ok: large });
  }
});
