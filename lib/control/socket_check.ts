/**
 * Is a control socket path what a node of this user put there? The CLI asks
 * before it sends anything (arguments, module source) to a socket, and a
 * starting node before it replaces one: a symbolic link is never followed,
 * and a socket of another user is never talked to.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";

/**
 * What is wrong with `path` as this user's control socket, as a phrase
 * ("is a symbolic link to /x"); undefined when it is a socket of this user,
 * or when nothing is there. Never rejects (an unreadable path is a problem).
 */
export async function socketProblem(rt: Pick<Runtime, "lstat" | "readLink" | "uid">, path: string): Promise<string | undefined> {
  let info;
  try {
    info = await rt.lstat(path);
  } catch (err) {
    return `cannot be examined (${(err as Error).message})`;
  }
  if (!info) return undefined;
  if (info.isSymbolicLink) {
    const target = await rt.readLink(path).catch(() => "somewhere");
    return `is a symbolic link to ${target}, not a node's control socket`;
  }
  if (!info.isSocket) return `is ${info.isDirectory ? "a directory" : "a file"}, not a node's control socket`;
  const uid = rt.uid();
  if (info.uid !== uid && !(uid === 0 && await isServiceDir(rt, dirOf(path), info.uid))) {
    return `is a socket of another user (uid ${info.uid}; you are uid ${uid})`;
  }
  return await swappable(rt, dirOf(path));
}

/** Other users could replace a socket between this check and the connection when they can write to its directory. */
async function swappable(rt: Pick<Runtime, "lstat">, dir: string): Promise<string | undefined> {
  const info = await rt.lstat(dir).catch(() => undefined);
  if (!info) return `is in a directory that cannot be examined (${dir})`;
  if (info.isSymbolicLink) return `is in ${dir}, a symbolic link that could be pointed elsewhere: use the real directory`;
  const sticky = (info.mode & 0o1000) !== 0;
  if ((info.mode & 0o022) !== 0 && !sticky) {
    return `is in ${dir}, which other users can write to (mode ${info.mode.toString(8).padStart(4, "0")}): run \`chmod 700 ${dir}\``;
  }
  return undefined;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
}

/**
 * Root operating a service (`MESHRPC_RUNTIME_DIR=/run/meshrpc meshrpc status`)
 * talks to the service user's socket when that user owns the directory and
 * nobody else can write there: only that user could have put the socket in it.
 */
async function isServiceDir(rt: Pick<Runtime, "lstat">, dir: string, owner: number): Promise<boolean> {
  const info = await rt.lstat(dir).catch(() => undefined);
  return !!info && info.isDirectory && info.uid === owner && (info.mode & 0o022) === 0;
}
