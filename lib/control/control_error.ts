/**
 * The control plane's one failure, in a file of its own: the CLI's entry
 * tells it apart from its other errors, and importing it from `client.ts`
 * would load the client and its CBOR decoder at every start, for `meshrpc
 * version` too.
 *
 * @module
 */

/** The daemon could not be reached on its socket (not running, or stopped mid-request). */
export class ControlError extends Error {
  override name = "ControlError";
}
