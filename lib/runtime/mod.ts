/**
 * Picks the runtime implementation. `bun.ts` and `deno.ts` are loaded lazily:
 * each touches its runtime's global at import time.
 *
 * @module
 */
import type { Runtime } from "./types.ts";

export type * from "./types.ts";
export type * from "./tcp_types.ts";

let current: Runtime | undefined;

/** Detects Bun or Deno and loads its implementation; throws on any other runtime. */
export async function loadRuntime(): Promise<Runtime> {
  if (current) return current;
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun) current = (await import("./bun.ts")).bun;
  else if (g.Deno) current = (await import("./deno.ts")).deno;
  else throw new Error("meshrpc runs on Bun or Deno: start it with `bun run cmd/meshrpc.ts` or `deno run -A cmd/meshrpc.ts`");
  return current;
}

/** The runtime loaded by `loadRuntime`; throws if it was not called first. */
export function runtime(): Runtime {
  if (!current) throw new Error("loadRuntime() must be awaited before runtime() is used");
  return current;
}
