/**
 * Readers for the fields of a decoded frame: each checks one field's type
 * and throws a `FrameError` that names the frame and the field at fault.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { FrameError } from "./frames.ts";

/** Throws the FrameError for frame `what`: "Malformed <what> frame: <detail>". */
export function fail(what: string, detail: string): never {
  throw new FrameError(`Malformed ${what} frame: ${detail}`);
}

/** The readers below check one field each and throw like `fail`. */
export function arity(a: unknown[], n: number, what: string): void {
  if (a.length !== n) fail(what, `expected ${n} elements, got ${a.length}`);
}

export function str(x: unknown, what: string, field: string): string {
  if (typeof x !== "string") fail(what, `${field} must be a string`);
  return x;
}

export function bool(x: unknown, what: string, field: string): boolean {
  if (typeof x !== "boolean") fail(what, `${field} must be a boolean`);
  return x;
}

export function bytes(x: unknown, what: string, field: string): Uint8Array {
  if (!(x instanceof Uint8Array)) fail(what, `${field} must be a byte string`);
  return x;
}

export function uint(x: unknown, what: string, field: string): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
    fail(what, `${field} must be a non-negative integer`);
  }
  return x;
}

export function millis(x: unknown, what: string, field: string): number {
  if (typeof x !== "number" || !(x >= 0)) fail(what, `${field} must be a non-negative number`);
  return x;
}

export function port(x: unknown, what: string): number {
  const p = uint(x, what, "port");
  if (p > 65535) fail(what, "port must be at most 65535");
  return p;
}

export function args(x: unknown, what: string): Value[] {
  if (!Array.isArray(x)) fail(what, "args must be an array");
  return x as Value[];
}
