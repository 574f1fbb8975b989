/**
 * Bytes as text and back: hex (for bigints in CBOR) and standard base64 (for
 * `{"$bytes": ...}` in JSON). The runtime's native `Uint8Array` methods are
 * used where it has them.
 *
 * @module
 */

type NativeCodecs = { fromHex?(hex: string): Uint8Array; fromBase64?(text: string): Uint8Array };
type NativeBytes = Uint8Array & { toHex?(): string; toBase64?(): string };

/** Bytes of an even-length string of hex digits (the caller makes sure it is one). */
export function hexToBytes(hex: string): Uint8Array {
  const native = (Uint8Array as unknown as NativeCodecs).fromHex;
  if (native) return native(hex);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex, two digits a byte. */
export function bytesToHex(bytes: Uint8Array): string {
  const b = bytes as NativeBytes;
  if (b.toHex) return b.toHex();
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Standard base64, padded. */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as NativeBytes).toBase64;
  if (native) return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of standard base64 text. Throws (SyntaxError or DOMException) when it is not base64. */
export function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as NativeCodecs).fromBase64;
  if (native) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
