/**
 * File operations for the runtime directory, where another local user may
 * have planted something: nothing here follows a symbolic link, and files it
 * creates get mode 0600.
 *
 * @module
 */
import type { Stats } from "node:fs";
import process from "node:process";
import { nodeFs } from "./builtins.ts";
import type { FileInfo } from "./types.ts";

function infoOf(s: Stats): FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSocket: s.isSocket(),
    isSymbolicLink: s.isSymbolicLink(),
    mode: s.mode & 0o7777,
    uid: s.uid,
  };
}

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

/**
 * node:fs's callback form as a promise, for a node's `readDir`:
 * node:fs/promises would also load node:events, a few milliseconds more
 * (Bun). The CLI lists the runtime directory with `readDirSync`.
 */
function promised<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

/**
 * A status read without the thread pool: a CLI command reads a few of them
 * and nothing else, and starting the pool for its first callback cost it
 * about 7 ms (Bun). One status is one short system call.
 */
function infoOrNothing(read: () => Stats): Promise<FileInfo | undefined> {
  try {
    return Promise.resolve(infoOf(read()));
  } catch (err) {
    if (codeOf(err) === "ENOENT") return Promise.resolve(undefined);
    return Promise.reject(err);
  }
}

/** What is at `path` itself (a symbolic link is reported, not followed); undefined when nothing is. */
export function lstat(path: string): Promise<FileInfo | undefined> {
  return infoOrNothing(() => nodeFs().lstatSync(path));
}

/** Like `lstat`, following links. */
export function stat(path: string): Promise<FileInfo | undefined> {
  return infoOrNothing(() => nodeFs().statSync(path));
}

/** Where a symbolic link points; rejects when `path` is not one. */
export function readLink(path: string): Promise<string> {
  try {
    return Promise.resolve(nodeFs().readlinkSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The names in a directory. */
export function readDir(path: string): Promise<string[]> {
  return promised((done) => nodeFs().readdir(path, done));
}

/** The names in a directory, without the thread pool (see `Runtime.readDirSync`). */
export function readDirSync(path: string): string[] {
  return nodeFs().readdirSync(path);
}

/**
 * Opens `path` for appending, creating it with mode 0600, without following
 * a symbolic link; returns the file descriptor. Throws an Error saying what
 * to remove when `path` is a symbolic link or not a regular file of this
 * user, and the system's error when it cannot be opened.
 */
export function openAppendPrivate(path: string): number {
  const fs = nodeFs();
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
  } catch (err) {
    if (codeOf(err) === "ELOOP") {
      throw new Error(`${path} is a symbolic link, which meshrpc does not follow: remove it (rm ${path})`, { cause: err });
    }
    throw err;
  }
  try {
    const s = fs.fstatSync(fd);
    const uid = process.getuid?.();
    if (!s.isFile() || (uid !== undefined && s.uid !== uid)) {
      throw new Error(`${path} is not a regular file of this user: remove it (rm ${path})`);
    }
    // An older file may have been created with a wider mode.
    if ((s.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
