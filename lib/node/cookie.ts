/**
 * The shared secret: `--cookie`, else `$MESHRPC_COOKIE`, else
 * `~/.meshrpc.cookie`, created with mode 0600 and a random value on first
 * use, as Erlang does with `~/.erlang.cookie`.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import { NodeStartError } from "./options.ts";

function badCookie(message: string): NodeStartError {
  return new NodeStartError("bad_cookie", message);
}

const VALID = /^[\x21-\x7e]{1,255}$/;

/** Throws NodeStartError("bad_cookie") when the cookie cannot travel in an HTTP header. */
export function validateCookie(cookie: string, source: string): string {
  if (!VALID.test(cookie)) {
    throw badCookie(
      `The cookie from ${source} is not usable: use 1-255 printable ASCII characters without spaces`,
    );
  }
  return cookie;
}

function randomCookie(): string {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => letters[b % 26]).join("");
}

type CookieRuntime = Pick<Runtime, "env" | "homeDir" | "readTextFile" | "writeTextFile" | "stat">;

/**
 * Finds the cookie. Throws NodeStartError("bad_cookie") when the cookie file is readable by
 * others, malformed, or cannot be created (with what to do about it).
 */
export async function resolveCookie(rt: CookieRuntime, flag?: string): Promise<string> {
  if (flag !== undefined) return validateCookie(flag, "--cookie");
  const env = rt.env("MESHRPC_COOKIE");
  if (env) return validateCookie(env, "$MESHRPC_COOKIE");
  const home = rt.homeDir();
  if (!home) {
    throw badCookie("No cookie: pass --cookie or set MESHRPC_COOKIE (there is no home directory for ~/.meshrpc.cookie)");
  }
  const file = `${home}/.meshrpc.cookie`;
  const info = await rt.stat(file);
  if (!info) {
    const cookie = randomCookie();
    try {
      await rt.writeTextFile(file, cookie, { mode: 0o600, createNew: true });
      return cookie;
    } catch (err) {
      // Another process may have created it between stat and write: read theirs.
      if ((err as { code?: string }).code !== "EEXIST") {
        throw badCookie(`Cannot create ${file}: ${(err as Error).message}; pass --cookie or set MESHRPC_COOKIE`);
      }
    }
  } else if ((info.mode & 0o077) !== 0) {
    throw badCookie(`${file} must be accessible by its owner only: run chmod 600 ${file}`);
  }
  return validateCookie((await rt.readTextFile(file)).trim(), file);
}
