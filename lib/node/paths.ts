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

/** Unix socket paths are limited to 107 bytes on Linux. */
export const MAX_SOCKET_PATH = 107;
