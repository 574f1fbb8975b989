/**
 * Makes sure an epmd answers on the port this node registers with, as `erl`
 * does: one already running is used; else `epmd -daemon` is started when the
 * binary is installed; else the embedded `serveEpmd` takes the port.
 *
 * @module
 */
import { sleep } from "../core/sleep.ts";
import type { Runtime } from "../runtime/types.ts";
import { EpmdError, listNames } from "./epmd.ts";
import { type EpmdServer, serveEpmd } from "./epmd_server.ts";

/** Which epmd answers: one that ran already, one started now, or the embedded one (stop it with the node). */
export type EpmdSource =
  | { kind: "running" }
  | { kind: "started"; binary: string }
  | { kind: "embedded"; server: EpmdServer };

export type EnsureEpmdOptions = {
  /** Where `epmd -daemon`'s own output goes. */
  logFile: string;
  /** The address the embedded server listens on; default "0.0.0.0", as epmd does, so other hosts find this node. */
  hostname?: string;
  /** How long to wait for a started epmd to answer (ms); default 3000. */
  startTimeoutMs?: number;
};

async function answers(runtime: Runtime, port: number): Promise<boolean> {
  try {
    await listNames(runtime, { host: "127.0.0.1", port }, { timeoutMs: 1000 });
    return true;
  } catch {
    return false;
  }
}

/** The path of the `epmd` binary on PATH, or undefined when it is not installed. */
export async function findEpmd(runtime: Runtime): Promise<string | undefined> {
  for (const dir of (runtime.env("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const path = `${dir}/epmd`;
    const info = await runtime.stat(path);
    if (info?.isFile && (info.mode & 0o111) !== 0) return path;
  }
  return undefined;
}

/**
 * Ensures an epmd answers on 127.0.0.1:`port`.
 *
 * Rejects with `EpmdError` when a started epmd does not answer within
 * `startTimeoutMs`, or the embedded server cannot bind the port while
 * nothing answers on it.
 */
export async function ensureEpmd(runtime: Runtime, port: number, options: EnsureEpmdOptions): Promise<EpmdSource> {
  if (await answers(runtime, port)) return { kind: "running" };
  const binary = await findEpmd(runtime);
  if (binary) {
    runtime.spawnDetached([binary, "-daemon", "-port", String(port)], {
      logFile: options.logFile,
      env: { ERL_EPMD_PORT: String(port) },
    });
    const giveUp = Date.now() + (options.startTimeoutMs ?? 3000);
    while (Date.now() < giveUp) {
      if (await answers(runtime, port)) return { kind: "started", binary };
      await sleep(50);
    }
    throw new EpmdError(
      `Started \`${binary} -daemon -port ${port}\` but nothing answers on port ${port}: see ${options.logFile}, or run \`epmd -port ${port}\` by hand`,
    );
  }
  try {
    return { kind: "embedded", server: await serveEpmd(runtime, { hostname: options.hostname ?? "0.0.0.0", port }) };
  } catch (err) {
    // Another process may have bound it meanwhile.
    if (await answers(runtime, port)) return { kind: "running" };
    throw new EpmdError(
      `No epmd answers on port ${port} and the built-in one cannot listen there (${(err as Error).message}): free the port or set ERL_EPMD_PORT`,
      { cause: err },
    );
  }
}
