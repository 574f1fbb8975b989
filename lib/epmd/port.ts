/**
 * The port mapper's port: its default and the environment variable that
 * overrides it.
 *
 * @module
 */
import { isPort } from "../core/name.ts";

/** Erlang's epmd listens on 4369; ours is next to it. */
export const DEFAULT_EPMD_PORT = 4370;

/**
 * `$MESHRPC_EPMD_PORT`, else 4370. Throws RangeError (saying what is valid)
 * when the variable holds something that is not a port.
 */
export function epmdPortFromEnv(rt: { env(name: string): string | undefined }): number {
  const text = rt.env("MESHRPC_EPMD_PORT");
  if (text === undefined || text === "") return DEFAULT_EPMD_PORT;
  const port = Number(text);
  if (!isPort(port)) {
    throw new RangeError(`MESHRPC_EPMD_PORT=${text} is not a port: use 1-65535`);
  }
  return port;
}
