/**
 * Where a node keeps its control socket and (detached) log file.
 *
 * @module
 */

export interface PathEnv {
  env(name: string): string | undefined;
  uid(): number;
}

/** `$MESHRPC_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/meshrpc`, else `/tmp/meshrpc-<uid>`. */
export function runtimeDir(rt: PathEnv): string {
  const own = rt.env("MESHRPC_RUNTIME_DIR");
  if (own) return own;
  const xdg = rt.env("XDG_RUNTIME_DIR");
  if (xdg) return `${xdg}/meshrpc`;
  return `/tmp/meshrpc-${rt.uid()}`;
}

export const SOCKET_SUFFIX = ".sock";

export function socketPath(dir: string, node: string): string {
  return `${dir}/${node}${SOCKET_SUFFIX}`;
}

export function logPath(dir: string, node: string): string {
  return `${dir}/${node}.log`;
}

/** The node name a socket file belongs to, or undefined for other files. */
export function nodeOfSocket(file: string): string | undefined {
  return file.endsWith(SOCKET_SUFFIX) && file.includes("@") ? file.slice(0, -SOCKET_SUFFIX.length) : undefined;
}

/** Erlang's epmd listens on 4369; ours is next to it. */
export const DEFAULT_EPMD_PORT = 4370;

/**
 * `$MESHRPC_EPMD_PORT`, else 4370. Throws RangeError (saying what is valid)
 * when the variable holds something that is not a port.
 */
export function epmdPortFromEnv(rt: PathEnv): number {
  const text = rt.env("MESHRPC_EPMD_PORT");
  if (text === undefined || text === "") return DEFAULT_EPMD_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`MESHRPC_EPMD_PORT=${text} is not a port: use 1-65535`);
  }
  return port;
}

/** Unix socket paths are limited to 107 bytes on Linux. */
export const MAX_SOCKET_PATH = 107;
