/**
 * The calls and casts that arrived at this node (from a link, HTTP, or the
 * node itself), run by `execute` and counted: in flight (so that a stopping
 * node can wait for them), by outcome (for /metrics) and per function (for
 * the dashboard).
 *
 * @module
 */
import type { IncomingCall, IncomingCast } from "../distribution/link_handler.ts";
import { type CallResult, DEFAULT_CALL_TIMEOUT_MS, type Kind } from "../result.ts";
import type { CallStats } from "./call_stats.ts";
import { execute, type Host } from "./execute.ts";
import type { InFlight } from "./in_flight.ts";
import type { Modules } from "./modules.ts";

export interface ServingOptions {
  modules: Modules;
  /** What a running function gets: the node's name and its `this.rpc`. */
  host: Host;
  /** Shared with the calls this node makes. */
  inFlight: InFlight;
  /** Counts each outcome. */
  count?(direction: "served", kind: Kind): void;
  stats?: CallStats;
}

export class Serving {
  #o: ServingOptions;

  constructor(options: ServingOptions) {
    this.#o = options;
  }

  /**
   * Runs a call: its outcome at once when the function answered at once,
   * else a promise of it (which never rejects).
   */
  serve(req: Omit<IncomingCall, "signal"> & { signal?: AbortSignal }): CallResult | Promise<CallResult> {
    this.#o.inFlight.begin();
    const started = performance.now();
    let result: CallResult | Promise<CallResult>;
    try {
      // `req` as it is: a link makes `req.signal` only when the function asks for its own.
      result = execute(this.#o.modules, this.#o.host, req);
    } catch (err) {
      this.#served(req, undefined, started);
      throw err;
    }
    if (!(result instanceof Promise)) return this.#served(req, result, started);
    return result.then(
      (r) => this.#served(req, r, started),
      (err) => {
        this.#served(req, undefined, started);
        throw err;
      },
    );
  }

  /** Counts a served call's end (`result` undefined: it failed inside meshrpc) and gives its result back. */
  #served<R extends CallResult | undefined>(req: { module: string; function: string }, result: R, started: number): R {
    if (result) {
      const ended = performance.now();
      this.#o.count?.("served", result.kind);
      this.#o.stats?.record(req.module, req.function, result.kind, ended - started, performance.timeOrigin + ended);
    }
    this.#o.inFlight.end();
    return result;
  }

  /** Runs a cast; keeps nothing but the count. */
  serveCast(req: IncomingCast): void {
    try {
      const result = this.serve({ caller: req.caller, module: req.module, function: req.function, args: req.args, timeoutMs: DEFAULT_CALL_TIMEOUT_MS });
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // Nobody waits for a cast's outcome.
    }
  }
}
