/**
 * What stands between a browser and the dashboard: the cookie check at
 * sign-in (constant time, a delay after a wrong one, a bound on sign-ins
 * waiting at once), the session cookie's attributes, and the same-origin
 * check for requests that change something.
 *
 * @module
 */
import { constantTimeEqualText } from "../core/bytes.ts";
import { sleep } from "../core/sleep.ts";

export const SESSION_COOKIE = "meshrpc_dashboard";
export const WRONG_COOKIE_DELAY_MS = 1000;
/** Sign-ins in progress at once (each wrong one waits the delay); more are refused at once. */
export const SIGNINS_MAX = 4;

/** The result of a sign-in attempt. */
export type SignIn = "ok" | "wrong" | "busy";

export class SignInGate {
  #cookie: string;
  #delayMs: number;
  #inFlight = 0;

  constructor(cookie: string, delayMs = WRONG_COOKIE_DELAY_MS) {
    this.#cookie = cookie;
    this.#delayMs = delayMs;
  }

  /**
   * "ok" for the node's cookie; "wrong" after the delay otherwise; "busy"
   * at once when `SIGNINS_MAX` attempts are already waiting, so guessing in
   * parallel gains nothing and costs the node nothing.
   */
  async attempt(given: string): Promise<SignIn> {
    if (this.#inFlight >= SIGNINS_MAX) return "busy";
    this.#inFlight++;
    try {
      if (constantTimeEqualText(given, this.#cookie)) return "ok";
      await sleep(this.#delayMs);
      return "wrong";
    } finally {
      this.#inFlight--;
    }
  }
}

/** The `Set-Cookie` value of a session (or of its removal, with `token` undefined). */
export function sessionCookie(token: string | undefined, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${token ?? ""}`,
    "Path=/dashboard",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${token === undefined ? 0 : Math.floor(options.maxAgeSeconds)}`,
  ];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The session cookie's value in a `Cookie` header. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * True when a state-changing request comes from the dashboard's own pages:
 * its `Origin` (or, without one, `Sec-Fetch-Site`) names this origin. A
 * request with neither is refused too: browsers send one of them on POST.
 */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin !== null) return origin === new URL(req.url).origin;
  const site = req.headers.get("sec-fetch-site");
  return site === "same-origin";
}

/** Compares a form's anti-forgery token with the session's, in constant time. */
export function sameToken(given: string | undefined, expected: string): boolean {
  return constantTimeEqualText(given ?? "", expected);
}
