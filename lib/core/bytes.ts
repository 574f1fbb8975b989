/**
 * Byte arrays: a constant-time comparison for secrets (and one for strings),
 * a plain one for everything else, and joining.
 *
 * @module
 */

/** Compares every byte, whatever the first difference, so timing tells nothing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** `constantTimeEqual` for strings, by UTF-16 code unit: no encoding (an allocation) per comparison. */
export function constantTimeEqualText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Plain equality, for values that are not secret (a nonce echoed back). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * A buffer of at least `needed` bytes holding the first `used` bytes of
 * `buf`, sized by doubling (for growable writers); `buf` itself when it is
 * big enough.
 */
export function grownBytes<B extends Uint8Array>(buf: B, used: number, needed: number): B | Uint8Array<ArrayBuffer> {
  if (needed <= buf.length) return buf;
  let size = Math.max(buf.length, 1) * 2;
  while (size < needed) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(buf.subarray(0, used));
  return grown;
}

/** How many bytes `parts` hold in all. */
export function byteLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** The bytes of `parts`, one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(byteLength(parts));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
