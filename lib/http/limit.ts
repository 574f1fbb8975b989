/**
 * A cap on the requests the HTTP face serves at once. Past it a request is
 * answered 503 with `Retry-After` at once, instead of queueing work and
 * memory without bound; one `http_limit` log line says so, rate-limited.
 *
 * Bun cannot count TCP connections, only requests: idle keep-alive
 * connections are bounded by the server's idle timeout instead, and the
 * process's file descriptor limit (`LimitNOFILE=` in the systemd unit) must
 * leave room for them.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { LogLimit } from "../core/log_limit.ts";
import type { Logger } from "../core/log.ts";

/** Requests served at once by default: well above 1,000 concurrent callers. */
export const DEFAULT_MAX_REQUESTS = 4096;

/** How long a refused client is told to wait, in seconds. */
const RETRY_AFTER_SECONDS = 1;

export interface RequestLimitOptions {
  /** Requests served at once; one more is refused. */
  max: number;
  log: Logger;
  /** Milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Counts requests in flight and refuses those over `max`. `enter()` takes a
 * slot, or answers the 503 when none is left; `leave()` gives the slot back
 * once the request's handler has answered. Throws RangeError when `max` is
 * not a positive whole number.
 */
export class RequestLimit {
  readonly max: number;
  #log: Logger;
  // One line at first, then at most one every 10 s, saying how many refusals it stands for.
  #logLimit: LogLimit;
  #inFlight = 0;

  constructor(options: RequestLimitOptions) {
    const { max, log } = options;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive whole number, not ${max}`);
    this.max = max;
    this.#log = log;
    this.#logLimit = new LogLimit({ burst: 1, perSecond: 0.1, now: options.now });
  }

  /** Undefined with a slot taken (call `leave()` once answered), or the 503 to send. */
  enter(): Response | undefined {
    if (this.#inFlight >= this.max) {
      const suppressed = this.#logLimit.admit("http");
      if (suppressed !== undefined) this.#log.warn("http_limit", { max: this.max, suppressed });
      return new Response(`Too many requests at once (over ${this.max}): retry in ${RETRY_AFTER_SECONDS} s\n`, {
        status: 503,
        headers: { "content-type": "text/plain; charset=UTF-8", "retry-after": String(RETRY_AFTER_SECONDS) },
      });
    }
    this.#inFlight++;
    return undefined;
  }

  leave(): void {
    this.#inFlight--;
  }
}

/** Middleware that holds a slot of `limit` until the handlers after it have answered. */
export function limitRequests(limit: RequestLimit): MiddlewareHandler {
  return async (_c, next) => {
    const refused = limit.enter();
    if (refused) return refused;
    try {
      await next();
    } finally {
      limit.leave();
    }
  };
}
