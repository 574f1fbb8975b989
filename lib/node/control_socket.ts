/**
 * The node's control socket file: one per node name in the runtime
 * directory, mode 0600. A stale file (its node crashed) is replaced; a live
 * one means the node is already running.
 *
 * @module
 */
import { socketProblem } from "../control/socket_check.ts";
import type { Runtime, Server } from "../runtime/types.ts";
import { NodeStartError } from "./options.ts";
import { MAX_SOCKET_PATH, socketPath } from "./paths.ts";
import { ensurePrivateRuntimeDir } from "./runtime_dir.ts";

/** A node that answers nothing within this long is not usable (frozen, or not a node). */
const PROBE_TIMEOUT_MS = 1000;

/**
 * True when a node answers on the socket within a second. A symbolic link or
 * a socket of another user is never live: it is not followed or asked.
 */
export async function socketIsLive(rt: Runtime, path: string): Promise<boolean> {
  if (await socketProblem(rt, path)) return false;
  try {
    const req = new Request("http://meshrpc/status", { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const res = await rt.fetchUnix(path, req);
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function alreadyRunning(node: string, path: string): NodeStartError {
  return new NodeStartError(
    "already_running",
    `node ${node} is already running (control socket ${path}); stop it with \`meshrpc stop --node ${node}\` or pick another name`,
  );
}

/**
 * Creates the runtime directory (mode 0700) if needed: the control socket,
 * logs of detached processes and loaded modules go there. Throws
 * NodeStartError "runtime_dir_failed" when it cannot be created, or
 * "unsafe_runtime_dir" when it is not this user's alone (see
 * `ensurePrivateRuntimeDir`).
 */
export async function ensureRuntimeDir(rt: Runtime, dir: string): Promise<void> {
  await ensurePrivateRuntimeDir(rt, dir);
}

/** What a node never replaces: the path holds something it did not put there. */
async function assertOwnSocketOrNothing(rt: Runtime, path: string): Promise<void> {
  const problem = await socketProblem(rt, path);
  if (problem) {
    throw new NodeStartError(
      "listen_failed",
      `The control socket path ${path} ${problem}: remove it (rm ${path}) and start the node again`,
    );
  }
}

/**
 * Throws NodeStartError "already_running" when a live node already answers
 * on this name's socket, or "listen_failed" when something other than this
 * user's socket is there (checked before anything starts).
 */
export async function assertNotRunning(rt: Runtime, dir: string, node: string): Promise<void> {
  const path = socketPath(dir, node);
  await assertOwnSocketOrNothing(rt, path);
  if (await socketIsLive(rt, path)) throw alreadyRunning(node, path);
}

/**
 * Serves `fetch` on `<dir>/<node>.sock` (the directory exists: see
 * `ensureRuntimeDir`). Throws NodeStartError: "already_running" when a node
 * answers there, "bad_option" when the path is too long, "listen_failed".
 */
export async function serveControlSocket(
  rt: Runtime,
  dir: string,
  node: string,
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ path: string; server: Server }> {
  const path = socketPath(dir, node);
  if (new TextEncoder().encode(path).length > MAX_SOCKET_PATH) {
    throw new NodeStartError(
      "bad_option",
      `The control socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes: set MESHRPC_RUNTIME_DIR to a shorter directory`,
    );
  }
  await assertOwnSocketOrNothing(rt, path);
  if (await rt.lstat(path)) {
    if (await socketIsLive(rt, path)) throw alreadyRunning(node, path);
    await rt.remove(path);
  }
  let server: Server;
  try {
    server = await rt.serveUnix(path, (req) => fetch(req));
  } catch (err) {
    throw new NodeStartError("listen_failed", `Cannot listen on the control socket ${path}: ${(err as Error).message}`);
  }
  await rt.chmod(path, 0o600);
  return { path, server };
}
