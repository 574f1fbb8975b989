/**
 * A module's source with every kind of export, for the type checks of
 * `node.module<typeof import(...)>()` (calls.ts): only the functions may
 * become methods. Never loaded by a node.
 */
import type { CallContext } from "../../../lib/mod.ts";

export function greet(this: CallContext, who: string, times?: number): string {
  return `${who} from ${this.self}`.repeat(times ?? 1);
}

export async function total(xs: number[]): Promise<number> {
  return await Promise.resolve(xs.reduce((a, b) => a + b, 0));
}

export function nothing(): void {}

export const double = (n: number): number => n * 2;

export const VERSION = "1.0";

export class Thing {}
