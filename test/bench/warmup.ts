/**
 * The warm-ups `make bench` gives the rows that need one of their own, on
 * both sides: run.ts for meshrpc, meshbench.erl for Erlang (as arguments),
 * floor.ts for the bare WebSocket floor, and rounds.ts, which replaces the
 * one of the row it studies. test/bench/PROFILE.md ("Warm-up") has the
 * rounds behind each count.
 *
 * @module
 */
export const WARMUP = {
  /** Sequential calls before the small-call row. */
  sequential: 30_000,
  /** Casts before the casts row. */
  casts: 100_000,
  /** Multicalls before the multicall row. */
  multicalls: 35_000,
} as const;
