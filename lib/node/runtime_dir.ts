/**
 * The runtime directory holds the control sockets (whoever can open one owns
 * the node), detached logs and loaded modules, so it must be this user's
 * alone: the default `/tmp/meshrpc-<uid>` could have been created by anyone.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import { NodeStartError } from "./options.ts";

type DirRuntime = Pick<Runtime, "lstat" | "mkdir" | "readLink" | "uid">;

const ELSEWHERE = "or set MESHRPC_RUNTIME_DIR to a directory of yours";

/** Why `dir` is not safe to use, as a sentence that says what to do; undefined when it is. */
async function unsafeBecause(rt: DirRuntime, dir: string): Promise<string | undefined> {
  const info = await rt.lstat(dir);
  if (!info) return `The runtime directory ${dir} vanished while it was being created; try again`;
  if (info.isSymbolicLink) {
    const target = await rt.readLink(dir).catch(() => "somewhere");
    return `The runtime directory ${dir} is a symbolic link (to ${target}), which meshrpc does not follow: remove it (rm ${dir}) ${ELSEWHERE}`;
  }
  if (!info.isDirectory) return `The runtime directory ${dir} is not a directory: remove it ${ELSEWHERE}`;
  const uid = rt.uid();
  if (info.uid !== uid) {
    return `The runtime directory ${dir} belongs to uid ${info.uid}, not to you (uid ${uid}), so another user may control it: ` +
      `remove it ${ELSEWHERE}`;
  }
  if ((info.mode & 0o022) !== 0) {
    const who = (info.mode & 0o002) !== 0 ? "every user" : "its group";
    return `The runtime directory ${dir} is writable by ${who} (mode ${info.mode.toString(8).padStart(4, "0")}): ` +
      `run \`chmod 700 ${dir}\` ${ELSEWHERE}`;
  }
  return undefined;
}

/**
 * Creates the runtime directory (mode 0700) if needed, and checks that it is
 * a real directory (not a symbolic link), owned by this user and writable by
 * nobody else. Throws NodeStartError "unsafe_runtime_dir" saying what to fix
 * when it is not, "runtime_dir_failed" when it cannot be created.
 */
export async function ensurePrivateRuntimeDir(rt: DirRuntime, dir: string): Promise<void> {
  let exists;
  try {
    exists = await rt.lstat(dir);
    if (!exists) await rt.mkdir(dir, 0o700);
  } catch (err) {
    throw new NodeStartError(
      "runtime_dir_failed",
      `Cannot create the runtime directory ${dir}: ${(err as Error).message}; set MESHRPC_RUNTIME_DIR to a writable directory`,
    );
  }
  const problem = await unsafeBecause(rt, dir);
  if (problem) throw new NodeStartError("unsafe_runtime_dir", problem);
}
