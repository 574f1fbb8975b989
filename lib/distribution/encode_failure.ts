/**
 * Why a call's arguments or a function's result could not be put in a
 * frame, said the way a person can fix it: the codec names the culprit by
 * its place in the value (`args[1].cb`), not in the frame around it.
 *
 * @module
 */
import { CodecError, findUnencodable } from "../codec/errors.ts";
import type { CallResult } from "../result.ts";

function isCodecError(err: unknown): boolean {
  return err instanceof CodecError || (err as Error | undefined)?.name === "CodecError";
}

/** An error's message, or the thrown value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `badarg` message for arguments `args` of `module.fn` that `encodeFrame` refused with `err`. */
export function argsFailure(module: string, fn: string, peer: string, args: unknown, err: unknown): string {
  const what = `the arguments of ${module}.${fn}`;
  if (!isCodecError(err)) return `${what} could not be encoded: ${errorMessage(err)}`;
  const precise = findUnencodable(args, "args") ?? err;
  return `${what} cannot be sent to ${peer}: ${errorMessage(precise)}`;
}

/** The `EncodeError` message for a `result` of `module.fn` that `encodeFrame` refused with `err`. */
export function resultFailure(module: string, fn: string, result: CallResult, err: unknown): string {
  if (!isCodecError(err)) return `the result of ${module}.${fn} could not be encoded: ${errorMessage(err)}`;
  const culprit = result.kind === "ok"
    ? findUnencodable(result.value, "value")
    : result.kind === "exception"
    ? findUnencodable(result.data, "data")
    : undefined;
  return `${module}.${fn} returned a value that cannot cross the wire: ${errorMessage(culprit ?? err)}`;
}

/**
 * The message for a frame of `size` bytes that is over `max`, the most a
 * link carries in one message: `what` is "the arguments of M.F" or "the
 * value M.F returned".
 */
export function tooLargeFailure(what: string, size: number, max: number): string {
  return `${what}: ${size} bytes encoded, over the limit of ${max} bytes for one message on a link: ` +
    "send less data per call (split it into several calls)";
}
