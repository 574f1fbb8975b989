/**
 * The one error the port mapper's client functions reject with.
 *
 * @module
 */

/**
 * Why a port-mapper operation failed:
 * - `unreachable`: no mapper answers on that host and port (or something else does);
 * - `refused`: the mapper answered and said no (name taken, not on this host, bad name);
 * - `unknown`: the mapper has no node by that name;
 * - `timeout`: no answer in time;
 * - `in_use`: a mapper could not listen because its port is taken.
 */
export type EpmdFailure = "unreachable" | "refused" | "unknown" | "timeout" | "in_use";

export class EpmdError extends Error {
  override readonly name = "EpmdError";
  readonly reason: EpmdFailure;

  constructor(reason: EpmdFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
