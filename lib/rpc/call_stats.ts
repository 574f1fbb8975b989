/**
 * What the calls served by this node did over the last minutes, per module
 * and function: counts in ten-second buckets, failures by kind, and the
 * latencies of the last calls for percentiles. Recording costs a lookup, a
 * few increments and one store; memory is bounded (a fixed ring per
 * function, at most `MAX_FUNCTIONS` functions).
 *
 * @module
 */
import type { Kind } from "../result.ts";

export const BUCKET_MS = 10_000;
/** Five minutes of buckets. */
export const BUCKETS = 30;
/** Latencies kept per function for its percentiles. */
export const LATENCY_SAMPLES = 256;
/** Past this many functions, calls to new ones are counted together under `OTHER`. */
export const MAX_FUNCTIONS = 500;
/** Where calls to functions that do not exist are counted: their names are the caller's, unbounded. */
export const UNDEFINED = "(undefined functions)";
export const OTHER = "(other functions)";

/** One function's figures over the window (`BUCKETS` × `BUCKET_MS`), as `system.activity` sends them. */
export interface FunctionSnapshot {
  /** `Module.function`, or UNDEFINED / OTHER. */
  name: string;
  /** Calls in the whole window. */
  calls: number;
  /** Calls per second over the last minute. */
  perSecond: number;
  /** Milliseconds, over the latencies kept that fall in the window; 0 without calls. */
  p50: number;
  p90: number;
  p99: number;
  /** Failed calls in the window, by outcome kind. */
  failures: Record<string, number>;
  /** Calls per bucket, oldest first (the last is the current one). */
  series: number[];
  /** Failed calls per bucket, oldest first. */
  failureSeries: number[];
}

class FunctionStats {
  slots = new Float64Array(BUCKETS).fill(-1);
  calls = new Uint32Array(BUCKETS);
  failed = new Uint32Array(BUCKETS);
  kinds: Map<string, number>[] = Array.from({ length: BUCKETS }, () => new Map());
  latencies = new Float64Array(LATENCY_SAMPLES);
  times = new Float64Array(LATENCY_SAMPLES).fill(-Infinity);
  next = 0;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class CallStats {
  // By module, then function: no key string is built per call.
  #modules = new Map<string, Map<string, FunctionStats>>();
  #count = 0;
  #undefined = new FunctionStats();
  #other = new FunctionStats();

  #stats(module: string, fn: string): FunctionStats {
    let fns = this.#modules.get(module);
    if (fns === undefined) {
      if (this.#count >= MAX_FUNCTIONS) return this.#other;
      fns = new Map();
      this.#modules.set(module, fns);
    }
    let s = fns.get(fn);
    if (s === undefined) {
      if (this.#count >= MAX_FUNCTIONS) return this.#other;
      s = new FunctionStats();
      fns.set(fn, s);
      this.#count++;
    }
    return s;
  }

  /** Counts one served call that ended with `kind` after `ms` milliseconds, at `now` (ms since the epoch). */
  record(module: string, fn: string, kind: Kind, ms: number, now: number): void {
    const s = kind === "undef" ? this.#undefined : this.#stats(module, fn);
    const slot = Math.floor(now / BUCKET_MS);
    const i = slot % BUCKETS;
    if (s.slots[i] !== slot) {
      s.slots[i] = slot;
      s.calls[i] = 0;
      s.failed[i] = 0;
      s.kinds[i].clear();
    }
    s.calls[i]++;
    if (kind !== "ok") {
      s.failed[i]++;
      s.kinds[i].set(kind, (s.kinds[i].get(kind) ?? 0) + 1);
    }
    s.latencies[s.next] = ms;
    s.times[s.next] = now;
    s.next = (s.next + 1) % LATENCY_SAMPLES;
  }

  *#all(): Iterable<[string, FunctionStats]> {
    for (const [module, fns] of this.#modules) for (const [fn, s] of fns) yield [`${module}.${fn}`, s];
    yield [UNDEFINED, this.#undefined];
    yield [OTHER, this.#other];
  }

  /** Every function called in the window, the busiest first. */
  snapshot(now: number): FunctionSnapshot[] {
    const current = Math.floor(now / BUCKET_MS);
    const since = (current - BUCKETS + 1) * BUCKET_MS;
    const out: FunctionSnapshot[] = [];
    for (const [name, s] of this.#all()) {
      const series: number[] = [];
      const failureSeries: number[] = [];
      const failures: Record<string, number> = {};
      let lastMinute = 0;
      for (let slot = current - BUCKETS + 1; slot <= current; slot++) {
        const i = slot % BUCKETS;
        const live = s.slots[i] === slot;
        series.push(live ? s.calls[i] : 0);
        failureSeries.push(live ? s.failed[i] : 0);
        if (!live) continue;
        if (slot > current - 60_000 / BUCKET_MS) lastMinute += s.calls[i];
        for (const [kind, n] of s.kinds[i]) failures[kind] = (failures[kind] ?? 0) + n;
      }
      const calls = series.reduce((a, b) => a + b, 0);
      if (calls === 0) continue;
      const recent: number[] = [];
      for (let j = 0; j < LATENCY_SAMPLES; j++) if (s.times[j] >= since) recent.push(s.latencies[j]);
      recent.sort((a, b) => a - b);
      // The current bucket is partly over: divide by the time the last minute really covers.
      const seconds = 50 + (now % BUCKET_MS) / 1000;
      out.push({
        name,
        calls,
        perSecond: round(lastMinute / seconds),
        p50: round(percentile(recent, 0.5)),
        p90: round(percentile(recent, 0.9)),
        p99: round(percentile(recent, 0.99)),
        failures,
        series,
        failureSeries,
      });
    }
    return out.sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
  }
}
