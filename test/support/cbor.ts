/**
 * Helpers for the CBOR tests: hex in and out, a round trip, the error a
 * function throws, and deeply nested input.
 *
 * @module
 */
import { decode } from "../../lib/codec/cbor_decode.ts";
import { encode } from "../../lib/codec/cbor_encode.ts";
import type { Value } from "../../lib/result.ts";

/** Bytes from hex text; whitespace is ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function roundTrip(value: unknown): Value {
  return decode(encode(value));
}

/** The error `fn` throws, failing the test when it throws nothing. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error, got none");
}

/** `depth` copies of `open` (hex), then `inner`, then `depth` copies of `close`. */
export function nested(depth: number, open: string, close: string, inner = ""): Uint8Array {
  return hex(open.repeat(depth) + inner + close.repeat(depth));
}
