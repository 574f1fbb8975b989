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
 * Middleware that counts requests in flight (until their handler answers)
 * and refuses those over `max` with 503. Throws RangeError when `max` is not
 * a positive whole number.
 */
export function limitRequests(options: RequestLimitOptions): MiddlewareHandler {
  const { max, log } = options;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive whole number, not ${max}`);
  // One line at first, then at most one every 10 s, saying how many refusals it stands for.
  const logLimit = new LogLimit({ burst: 1, perSecond: 0.1, now: options.now });
  let inFlight = 0;
  return async (c, next) => {
    if (inFlight >= max) {
      const suppressed = logLimit.admit("http");
      if (suppressed !== undefined) log.warn("http_limit", { max, suppressed });
      return c.text(`Too many requests at once (over ${max}): retry in ${RETRY_AFTER_SECONDS} s\n`, 503, {
        "retry-after": String(RETRY_AFTER_SECONDS),
      });
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
