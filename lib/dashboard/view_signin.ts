/**
 * The sign-in page: the cluster cookie, once; a session after.
 *
 * @module
 */
import { h, type Html } from "./html.ts";

/** The form, with why the last attempt failed (if it did). */
export function signinBody(self: string, problem?: string): Html {
  return h`<div class="signin card">
  <h1>Sign in</h1>
  <p class="muted">Give the cookie of the cluster <span class="mono">${self}</span> belongs to
  (its <span class="mono">--cookie</span>, <span class="mono">MESHRPC_COOKIE</span> or <span class="mono">~/.meshrpc.cookie</span>).
  The browser keeps a session, never the cookie.</p>
  ${problem && h`<p class="problem" role="alert" id="signin-problem">${problem}</p>`}
  <form method="post" action="/dashboard/signin">
    <label>Cookie
      <input type="password" name="cookie" id="signin-cookie" autocomplete="current-password" required autofocus>
    </label>
    <button type="submit" id="signin-submit">Sign in</button>
  </form>
</div>`;
}
