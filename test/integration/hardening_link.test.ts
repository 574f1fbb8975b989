/**
 * Hardening, part one: no burst and no single value can take a link down.
 * Every oversized call fails alone, on the caller's side; every other call on
 * the link goes on; values up to the limit still travel.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Cluster, FIXTURES, type NodeProc } from "../support/cluster.ts";

setDefaultTimeout(120_000);

const MODULES = join(FIXTURES, "hardening");
const MiB = 1024 * 1024;

describe("a link survives bursts and oversized values", () => {
  let cluster: Cluster;
  let a: NodeProc;
  let b: NodeProc;

  /** Runs `Burst.fn(...args)` on a, through a's HTTP port. */
  // deno-lint-ignore no-explicit-any -- tests read arbitrary JSON answers
  async function onA(fn: string, args: unknown[]): Promise<any> {
    const r = await cluster.rpc(a.port, { module: "Burst", function: fn, args, timeout: 60_000 });
    expect(r).toMatchObject({ status: 200 });
    return r.body.ok;
  }

  /** The link a-b is the same one it was: no nodedown was logged on either side. */
  function linkUnbroken() {
    expect(a.log()).not.toContain("nodedown");
    expect(b.log()).not.toContain("nodedown");
  }

  beforeAll(async () => {
    cluster = new Cluster({ flavor: "binary" });
    a = await cluster.start("a@localhost", { args: ["--modules", MODULES] });
    b = await cluster.start("b@localhost", { args: ["--modules", MODULES] });
    expect(await onA("echoOne", ["b@localhost", 10])).toEqual({ kind: "ok", length: 10 });
  });
  afterAll(() => cluster.cleanup());

  test("1,000 concurrent calls of 9 KB all succeed on one link", async () => {
    expect(await onA("echoes", ["b@localhost", 1000, 9000])).toEqual({ ok: 1000 });
    linkUnbroken();
  });

  test("5,000 concurrent calls of 2 KB all succeed", async () => {
    expect(await onA("echoes", ["b@localhost", 5000, 2000])).toEqual({ ok: 5000 });
    linkUnbroken();
  });

  test("90 concurrent replies of 100 KB all arrive", async () => {
    expect(await onA("bigReplies", ["b@localhost", 90, 100_000])).toEqual({ ok: 90 });
    linkUnbroken();
  });

  test("a 7 MiB argument travels there and back", async () => {
    expect(await onA("echoOne", ["b@localhost", 7 * MiB])).toEqual({ kind: "ok", length: 7 * MiB });
    linkUnbroken();
  });

  test("a 9 MiB argument is badarg on the caller's side, saying its size and the limit", async () => {
    const r = await onA("echoOne", ["b@localhost", 9 * MiB]);
    expect(r.kind).toBe("badarg");
    expect(r.message).toMatch(/\d+ bytes/);
    expect(r.message).toContain(String(8 * MiB));
    expect(await onA("echoOne", ["b@localhost", 10])).toEqual({ kind: "ok", length: 10 });
    linkUnbroken();
  });

  test("a 9 MiB cast is refused on the caller's side as badarg", async () => {
    const r = await onA("castOne", ["b@localhost", 9 * MiB]);
    expect(r.kind).toBe("badarg");
    expect(r.message).toContain(String(8 * MiB));
    linkUnbroken();
  });

  test("a 9 MiB return value fails that call alone, as an exception saying why", async () => {
    const r = await onA("bigOne", ["b@localhost", 9 * MiB]);
    expect(r.kind).toBe("exception");
    expect(r.message).toContain(String(8 * MiB));
    expect(await onA("echoOne", ["b@localhost", 10])).toEqual({ kind: "ok", length: 10 });
    linkUnbroken();
  });

  test("an HTTP body under the limit that grows over it when forwarded is 400, and the link stays", async () => {
    // `0.1,` is 4 bytes of JSON but 9 of CBOR (a float64): 7.5 MiB of JSON becomes about 17 MiB.
    const count = Math.floor((7.5 * MiB) / 4);
    const body = `{"node":"b@localhost","module":"rpc","function":"echo","args":[[${"0.1,".repeat(count - 1)}0.1]]}`;
    const res = await fetch(`http://127.0.0.1:${a.port}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${cluster.cookie}`, "content-type": "application/json" },
      body,
    });
    const answer = await res.json();
    expect(res.status).toBe(400);
    expect(answer.error.kind).toBe("badarg");
    expect(answer.error.message).toContain(String(8 * MiB));
    expect(await onA("echoOne", ["b@localhost", 10])).toEqual({ kind: "ok", length: 10 });
    linkUnbroken();
  });
});
