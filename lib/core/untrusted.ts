/**
 * Text that a peer chose (a name in a refused hello, a name asked of the port
 * mapper) is clipped before it reaches a log line or a reply: one hostile
 * message must not become a megabyte of log or an amplified answer.
 *
 * @module
 */

/** How much of a peer-supplied string a log line or a reply repeats. */
export const UNTRUSTED_MAX_CHARS = 200;

/**
 * The first `max` characters of `text`, then how much was left out, e.g.
 * `"aaaa…(+49800 chars)"`. Non-strings are described, not repeated.
 */
export function clipUntrusted(text: unknown, max = UNTRUSTED_MAX_CHARS): string {
  if (typeof text !== "string") return `(${typeof text})`;
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…(+${text.length - max} chars)`;
}
