/**
 * The call rows of `make bench`, in the order run.ts runs their loops
 * inside node a (test/bench/modules/Bench.ts), with the warm-ups before and
 * between them. rounds.ts replays the same steps up to the row it studies,
 * so both always do the same work. meshbench.erl gives Erlang the same.
 *
 * @module
 */
import { WARMUP } from "./warmup.ts";

const B = "b@localhost";
/** Each row's size unless `make bench --calls` says otherwise. */
export const DEFAULT_CALLS = 5000;
/** The multicall row's targets. */
export const THREE = [B, "c@localhost", "d@localhost"];

/** A timed step: the table row it gives. */
export interface PlannedRow {
  key: string;
  what: string;
  unit: string;
  /** The Erlang function it is compared with; `erpc` gets the OTP release added. */
  reference: "erpc" | "rpc:cast" | "erpc:multicall";
  /** The ratio to Erlang's figure it must reach. */
  atLeast: number;
  /** Operations the loop runs (calls, casts, multicalls). */
  ops: number;
  /** The row's figure from the loop's answer (the seconds it took; casts a second for `casts`). */
  figure(answer: number): number;
}

export interface Step {
  /** A Bench function and its arguments. */
  fn: string;
  args: unknown[];
  /** What run.ts logs before it, when it starts a group of rows. */
  log?: string;
  /** Set on a timed step. */
  row?: PlannedRow;
  /** Set on the warm-up of one row alone (its key): rounds.ts leaves it out. */
  warms?: string;
}

/** Every step, `calls` setting each row's size (`make bench --calls`, 5,000 by default). */
export function plan(calls: number): Step[] {
  // Most loops answer the seconds they took, and their row is operations a second.
  const row = (r: Omit<PlannedRow, "figure">, figure = (seconds: number) => r.ops / seconds): PlannedRow => ({ ...r, figure });
  const echo = (key: string, what: string, size: number, n: number): Step => ({
    fn: "sequential",
    args: [B, n, size],
    row: row({ key, what, unit: "MB/s", reference: "erpc", atLeast: 1, ops: n }, (s) => size * n / s / 1e6),
  });
  return [
    // Connect, and let the JIT compile the call path (a JavaScript runtime reaches
    // its speed after some thousands of calls; BEAM code is compiled before it runs).
    { fn: "sequential", args: [B, calls] },
    { fn: "concurrent", args: [B, 20_000, 16] },
    { fn: "sequential", args: [B, 2000, 65536] },
    // Rounds after the warm-up above kept getting faster while JSC's FTL tier compiled
    // the path (PROFILE.md, "Warm-up"): some rows get a warm-up of their own.
    { fn: "sequential", args: [B, WARMUP.sequential], warms: "echo_small" },
    {
      fn: "sequential",
      args: [B, calls],
      log: "echo sizes",
      row: row({ key: "echo_small", what: 'rpc.echo("hello") sequential', unit: "calls/s", reference: "erpc", atLeast: 1, ops: calls }),
    },
    { fn: "sequential", args: [B, 100, 65536] },
    echo("echo_64k", "echo 64 KiB sequential", 65536, 2000),
    echo("echo_1m", "echo 1 MiB sequential", 1048576, 300),
    ...[16, 64, 256].map((w): Step => ({
      fn: "concurrent",
      args: [B, calls * 4, w],
      log: `${w} in flight`,
      row: row({ key: `inflight_${w}`, what: `${w} calls in flight`, unit: "calls/s", reference: "erpc", atLeast: 1.5, ops: calls * 4 }),
    })),
    { fn: "casts", args: [B, WARMUP.casts], log: "casts, multicall", warms: "cast" },
    {
      fn: "casts",
      args: [B, calls * 4],
      // Bench.casts answers casts a second.
      row: row({ key: "cast", what: "casts executed", unit: "casts/s", reference: "rpc:cast", atLeast: 1.5, ops: calls * 4 }, (perS) => perS),
    },
    // c and d only serve the multicall row: warmed as b was, or that row measures their JIT.
    { fn: "concurrent", args: ["c@localhost", 20_000, 16] },
    { fn: "concurrent", args: ["d@localhost", 20_000, 16] },
    { fn: "multicalls", args: [THREE, WARMUP.multicalls], warms: "multicall" },
    {
      fn: "multicalls",
      args: [THREE, calls],
      row: row({ key: "multicall", what: "multicall over 3 nodes, sequential", unit: "multicalls/s", reference: "erpc:multicall", atLeast: 1, ops: calls }),
    },
  ];
}
