/**
 * One JSON GET with a deadline, for the mapper's lookups and health probes.
 *
 * @module
 */
import { isTimeoutError, timeoutSignal } from "../core/deadline.ts";
import { EpmdError } from "./errors.ts";

/**
 * GETs `url` and parses its JSON body (undefined when it is not JSON).
 * Rejects with EpmdError "timeout" after `timeoutMs`, and with fetch's own
 * error when the connection fails (nothing listens, host unknown).
 */
export async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const signal = timeoutSignal(timeoutMs);
  try {
    const res = await fetch(url, { signal, headers: { accept: "application/json" } });
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  } catch (err) {
    if (isTimeoutError(err) || signal.aborted) {
      throw new EpmdError("timeout", `${url} did not answer within ${timeoutMs} ms`, { cause: err });
    }
    throw err;
  }
}
