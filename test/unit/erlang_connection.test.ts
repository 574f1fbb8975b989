/**
 * An authenticated Erlang connection on a clock the test moves: control
 * messages cross in the pass-through form, a quiet link is kept up with
 * ticks, a peer's tick is answered, a silent peer is lost after the
 * ticktime, and a frame this node cannot read closes the link.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "../../lib/codec/limits.ts";
import { ErlConnection } from "../../lib/erlang/connection.ts";
import { ourFlags } from "../../lib/erlang/flags.ts";
import type { ByteStream } from "../../lib/erlang/packets.ts";
import { ErlSocket } from "../../lib/erlang/socket.ts";
import { Atom, Tuple } from "../../lib/mod.ts";
import type { Value } from "../../lib/result.ts";
import { streamPair } from "../support/byte_streams.ts";
import { FakeClock } from "../support/fake_clock.ts";

const peer = (name: string) => ({ name, flags: ourFlags(false), creation: 1, hidden: false });

function connection(stream: ByteStream, clock: FakeClock, name: string) {
  const got: { control: Value[]; payload: unknown }[] = [];
  const down: string[] = [];
  const conn = new ErlConnection(new ErlSocket(stream, clock), peer(name), {
    clock,
    ticktimeMs: 4000,
    limits: DEFAULT_LIMITS,
    handler: { message: (_, control, payload) => got.push({ control, payload }), down: (_, why) => down.push(why) },
  });
  return { conn, got, down };
}

/** The other end, raw: the bytes it receives. */
function raw(stream: ByteStream) {
  const bytes: number[] = [];
  stream.listen({ data: (c) => bytes.push(...c), close() {} });
  return bytes;
}

describe("an Erlang connection", () => {
  test("a control message and its payload cross as one pass-through frame", async () => {
    const clock = new FakeClock();
    const [a, b] = streamPair(3);
    const left = connection(a, clock, "b@localhost");
    const right = connection(b, clock, "a@localhost");
    left.conn.send(new Tuple([2, new Atom(""), 7]), { hello: [1, 2] });
    await clock.advance(0);
    expect(right.got).toEqual([{ control: [2, new Atom(""), 7], payload: { hello: [1, 2] } }]);
  });

  test("a value that cannot be encoded throws and writes nothing", async () => {
    const clock = new FakeClock();
    const [a, b] = streamPair();
    const { conn } = connection(a, clock, "b@localhost");
    const seen = raw(b);
    expect(() => conn.send(new Tuple([2]), NaN)).toThrow();
    await clock.advance(0);
    expect(seen).toEqual([]);
  });

  test("a quiet link ticks every quarter ticktime and answers the peer's ticks", async () => {
    const clock = new FakeClock();
    const [a, b] = streamPair();
    connection(a, clock, "b@localhost");
    const seen = raw(b);
    await clock.advance(1000);
    expect(seen).toEqual([0, 0, 0, 0]);
    b.write(new Uint8Array(4));
    await clock.advance(0);
    expect(seen).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("a peer silent for the ticktime is lost; one that ticks is kept", async () => {
    const clock = new FakeClock();
    const [a, b] = streamPair();
    const { conn, down } = connection(a, clock, "b@localhost");
    raw(b);
    for (let i = 0; i < 6; i++) {
      b.write(new Uint8Array(4));
      await clock.advance(1000);
    }
    expect(down).toEqual([]);
    await clock.advance(4000);
    expect(down.length).toBe(1);
    expect(down[0]).toStartWith("net_tick_timeout");
    expect(conn.downReason).toBe(down[0]);
  });

  test("a frame that is not the pass-through form closes the link", async () => {
    const clock = new FakeClock();
    const [a, b] = streamPair();
    const { down } = connection(a, clock, "b@localhost");
    raw(b);
    b.write(new Uint8Array([0, 0, 0, 3, 131, 68, 0]));
    await clock.advance(0);
    expect(down.length).toBe(1);
    expect(down[0]).toContain("cannot decode");
  });
});
