/**
 * Text that came from another node (a returned string, an exception's
 * message and stack, a name a remote port mapper lists) is printed with
 * every character a terminal would act on escaped: printed raw, an ESC
 * sequence could retitle, recolour or rewrite the operator's terminal, and a
 * newline could forge a line of output.
 *
 * @module
 */

// C0 controls (newlines and ESC among them), DEL, C1 controls (CSI is U+009B),
// line and paragraph separators, and the bidirectional overrides and isolates
// that make text read differently from what it is.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex -- as above, but for text whose lines are meant
const UNSAFE_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves as is among those (it escapes C0 itself).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

/**
 * `text` with every character a terminal would act on written as `\uXXXX`;
 * with `keepLines`, newlines and tabs stay (a multi-line value or stack).
 */
export function terminalSafe(text: string, options: { keepLines?: boolean } = {}): string {
  return text.replace(options.keepLines ? UNSAFE_BUT_LINES : UNSAFE, escapeChar);
}

/** JSON text of `value` (indented by `indent`) with those characters escaped too: still the same JSON. */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, escapeChar);
}
