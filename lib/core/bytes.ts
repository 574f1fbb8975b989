/**
 * Byte-array comparisons: a constant-time one for secrets, a plain one for
 * everything else.
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

/** Plain equality, for values that are not secret (a nonce echoed back). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
