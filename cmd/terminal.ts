/**
 * Text that came from another node (a returned string, an exception's
 * message and stack, a name a remote port mapper lists) is printed with
 * every character a terminal would act on escaped: printed raw, an ESC
 * sequence could retitle, recolour or rewrite the operator's terminal, and a
 * newline could forge a line of output.
 *
 * The characters are found by comparing code units, not with a regular
 * expression: a process's first regular expression costs it about 0.5 ms
 * (Bun, compiled), and this is the only one `meshrpc call` would run.
 *
 * @module
 */

/**
 * C0 controls (newlines and ESC among them), DEL, C1 controls (CSI is U+009B),
 * line and paragraph separators, and the bidirectional overrides and isolates
 * that make text read differently from what it is.
 */
function isUnsafe(c: number): boolean {
  return c <= 0x1f || isUnsafeInJson(c);
}

/** As `isUnsafe`, but tabs and newlines stay: text whose lines are meant. */
function isUnsafeButLines(c: number): boolean {
  return c !== 0x09 && c !== 0x0a && isUnsafe(c);
}

/** What JSON.stringify leaves as is among those (it escapes C0 itself). */
function isUnsafeInJson(c: number): boolean {
  return (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069);
}

/** `text` with each code unit `unsafe` picks written as `\uXXXX`; `text` itself when there is none. */
function escapeWhere(text: string, unsafe: (c: number) => boolean): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!unsafe(c)) continue;
    out += text.slice(from, i) + "\\u" + c.toString(16).padStart(4, "0");
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * `text` with every character a terminal would act on written as `\uXXXX`;
 * with `keepLines`, newlines and tabs stay (a multi-line value or stack).
 */
export function terminalSafe(text: string, options: { keepLines?: boolean } = {}): string {
  return escapeWhere(text, options.keepLines ? isUnsafeButLines : isUnsafe);
}

/** JSON text of `value` (indented by `indent`) with those characters escaped too: still the same JSON. */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return escapeWhere(JSON.stringify(value, null, indent), isUnsafeInJson);
}
