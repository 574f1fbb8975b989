/**
 * Two WebSocket facts every layer needs, written once: what an upgrade
 * request looks like, and how long a close reason may be.
 *
 * @module
 */

/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `reason` cut to fit a close frame: at most 123 bytes of UTF-8, cut on a
 * character boundary and ending in "..." when cut. Runtimes throw or drop
 * the close for a longer reason, so every transport passes its reason here.
 */
export function closeReason(reason: string): string {
  const bytes = encoder.encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES - 3;
  // Back to the first byte of a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return `${decoder.decode(bytes.subarray(0, end))}...`;
}

/** True for a request that asks for a WebSocket (`Upgrade: websocket`, any case). */
export function isUpgrade(req: Request): boolean {
  return req.headers.get("upgrade")?.toLowerCase() === "websocket";
}
