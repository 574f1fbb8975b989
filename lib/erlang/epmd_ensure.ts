/**
 * Makes sure an epmd answers on the port this node registers with, as `erl`
 * does: one already running is used; else `epmd -daemon` is started when the
 * binary is installed; else the embedded `serveEpmd` takes the port.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import type { EpmdServer } from "./epmd_server.ts";

/** Which epmd answers: one that ran already, one started now, or the embedded one (stop it with the node). */
export type EpmdSource =
  | { kind: "running" }
  | { kind: "started" }
  | { kind: "embedded"; server: EpmdServer };

/**
 * Ensures an epmd answers on 127.0.0.1:`port`. `epmd -daemon` writes nothing
 * worth keeping; its output goes to `logFile`.
 *
 * Rejects with `EpmdError` when nothing answers after starting epmd, or the
 * embedded server cannot bind the port.
 */
export function ensureEpmd(runtime: Runtime, port: number, options: { logFile: string }): Promise<EpmdSource> {
  void runtime, port, options;
  throw new Error("not implemented");
}
