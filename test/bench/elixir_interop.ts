/**
 * `make bench`, Erlang rows: `:erpc.call` from Elixir into a TypeScript node
 * (the built-in `rpc.echo`), and TypeScript calling Elixir (`erlang:hd/1`),
 * sequentially and with 64 calls in flight,  beside run.ts's Erlang-to-Erlang
 * rows. The TypeScript node runs in this process (Bun); epmd and the Elixir
 * nodes are this script's own, on a private port, stopped by pid.
 *
 *   bun run test/bench/elixir_interop.ts [--calls N]
 */
import { parseArgs } from "node:util";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode } from "../../lib/mod.ts";
import { hasErlang } from "../support/erlang.ts";
import { elixirProbe, freePort, startElixir, startEpmd } from "../support/erlang_peer.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "5000" } } });
const calls = Number(values.calls);
if (!hasErlang()) {
  console.log("erlang: skipped (no erl/elixir; apt-get install erlang-nox elixir to compare)");
  process.exit(0);
}

type Row = [string, number[], number];

function print(rows: Row[]): void {
  console.log("what".padEnd(26) + "calls".padStart(8) + "p50 µs".padStart(10) + "p99 µs".padStart(10) + "calls/s".padStart(10));
  for (const [what, samples, wallMs] of rows) {
    const s = [...samples].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] * 1000;
    console.log(
      what.padEnd(26) + String(s.length).padStart(8) + at(0.5).toFixed(0).padStart(10) + at(0.99).toFixed(0).padStart(10) +
        (s.length / (wallMs / 1000)).toFixed(0).padStart(10),
    );
  }
}

async function timed(n: number, inFlight: number, call: () => Promise<unknown>): Promise<[number[], number]> {
  const samples: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next++ < n) {
      const t = performance.now();
      await call();
      samples.push(performance.now() - t);
    }
  }));
  return [samples, performance.now() - start];
}

const dir = mkdtempSync(join(tmpdir(), "meshrpc-bench-erl-"));
const port = await freePort();
const cookie = `bench${Math.random().toString(36).slice(2)}`;
const epmd = await startEpmd(port);
writeFileSync(join(dir, "empty.ex"), "");
const ex = await startElixir("exbench", cookie, port, join(dir, "empty.ex")).catch(async (err) => {
  await epmd.stop();
  throw err;
});
try {
  await using node = await startNode({
    name: "tsbench@localhost",
    cookie,
    erlang: true,
    erlangEpmdPort: port,
    epmd: false,
    control: false,
    listen: "127.0.0.1",
    runtimeDir: dir,
  });
  const call = async () => {
    const r = await node.callResult("exbench@localhost", "erlang", "hd", [["hello"]]);
    if (r.kind !== "ok") throw new Error(`TS → Elixir call failed: ${JSON.stringify(r)}`);
  };
  await timed(1000, 1, call); // warm-up: connect, JIT
  const rows: Row[] = [
    ["TS→Elixir sequential", ...await timed(calls, 1, call)],
    ["TS→Elixir 64 in flight", ...await timed(calls * 4, 64, call)],
  ];
  console.log(`meshrpc ${node.info().runtime} node and Elixir over Erlang distribution`);
  print(rows);
  // Elixir → TS: the loop runs in Elixir, printing rows in the same format.
  const out = await elixirProbe("exprobe@localhost", cookie, port, `
    n = ${calls}
    t = :"tsbench@localhost"
    call = fn -> "hello" = :erpc.call(t, :rpc, :echo, ["hello"]) end
    for _ <- 1..1000, do: call.()
    time = fn -> t0 = System.monotonic_time(:nanosecond); call.(); System.monotonic_time(:nanosecond) - t0 end
    row = fn what, samples, wall ->
      s = Enum.sort(samples); l = length(s)
      p = fn q -> Enum.at(s, min(l - 1, trunc(q * l))) / 1000 end
      IO.puts(String.pad_trailing(what, 26) <> String.pad_leading("#{l}", 8) <> String.pad_leading("#{round(p.(0.5))}", 10) <>
        String.pad_leading("#{round(p.(0.99))}", 10) <> String.pad_leading("#{round(l / (wall / 1.0e9))}", 10))
    end
    t0 = System.monotonic_time(:nanosecond)
    seq = for _ <- 1..n, do: time.()
    row.("Elixir→TS sequential", seq, System.monotonic_time(:nanosecond) - t0)
    t1 = System.monotonic_time(:nanosecond)
    par = 1..64 |> Enum.map(fn _ -> Task.async(fn -> for _ <- 1..div(n * 4, 64), do: time.() end) end) |> Enum.flat_map(&Task.await(&1, :infinity))
    row.("Elixir→TS 64 in flight", par, System.monotonic_time(:nanosecond) - t1)
  `);
  process.stdout.write(out);
} finally {
  await ex.stop("SIGKILL");
  await epmd.stop();
  rmSync(dir, { recursive: true, force: true });
}
