/**
 * How much a decoder accepts from outside: a bound on size and on nesting, so
 * that a hostile body ends in an error instead of a crash or a hang.
 *
 * @module
 */
import { CodecError } from "./errors.ts";

/**
 * `maxBytes`: the largest body, in bytes. `maxDepth`: the most arrays and
 * maps (JSON: arrays and objects) open at once; a scalar is depth 0, `[]` is
 * 1, `[[1]]` is 2. Tags (dates, bigints, Maps) add no level of their own.
 */
export type Limits = { maxBytes: number; maxDepth: number };

export const DEFAULT_LIMITS: Limits = { maxBytes: 8 * 1024 * 1024, maxDepth: 100 };

/**
 * The input is larger than `maxBytes`. A separate class so that an HTTP edge
 * can answer 413 for this one and 400 for every other `CodecError`.
 */
export class TooLargeError extends CodecError {
  override name = "TooLargeError";
}

/** The error for `size` bytes over `limits.maxBytes`. */
export function tooLarge(size: number, limits: Limits): TooLargeError {
  return new TooLargeError(
    `Body of ${size} bytes is over the limit of ${limits.maxBytes} bytes: send less data per call`,
  );
}

/** The error for nesting deeper than `limits.maxDepth`. */
export function tooDeep(limits: Limits): CodecError {
  return new CodecError(
    `Value is nested deeper than the limit of ${limits.maxDepth} levels: send a flatter value`,
  );
}
