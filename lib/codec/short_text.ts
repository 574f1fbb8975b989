/**
 * Short ASCII text read from bytes, the same string handed out again for the
 * same bytes. The strings a link decodes are mostly a few names over and
 * over (modules, functions, nodes): building each one anew made a string
 * cell per character (`+=`), 17 of the 107 cells a call left for the
 * collector, both sides together. A small table of the last strings seen,
 * by a hash of their bytes, answers a repeat with no allocation at all; a
 * miss builds the string with one call and takes the slot. Its size is
 * fixed, whatever a peer sends: `SLOTS` strings of at most `SHORT_TEXT_MAX`
 * characters.
 *
 * @module
 */

/** Longer text is not looked up here. */
export const SHORT_TEXT_MAX = 32;

const SLOTS = 512;
const table: (string | undefined)[] = new Array(SLOTS).fill(undefined);

/**
 * `bytes[at..end)` as a string when every byte is ASCII and there are at
 * most `SHORT_TEXT_MAX` of them; undefined otherwise (the caller decodes
 * UTF-8 itself).
 */
export function shortAscii(bytes: Uint8Array, at: number, end: number): string | undefined {
  const length = end - at;
  if (length > SHORT_TEXT_MAX) return undefined;
  let hash = length;
  for (let i = at; i < end; i++) {
    const c = bytes[i];
    if (c >= 0x80) return undefined;
    hash = (hash * 31 + c) | 0;
  }
  const slot = (hash ^ (hash >>> 9)) & (SLOTS - 1);
  const seen = table[slot];
  if (seen !== undefined && seen.length === length && sameText(seen, bytes, at)) return seen;
  const text = String.fromCharCode.apply(null, bytes.subarray(at, end) as unknown as number[]);
  table[slot] = text;
  return text;
}

function sameText(text: string, bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[at + i]) return false;
  return true;
}
