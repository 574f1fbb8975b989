/**
 * "Is a port mapper running here? If not, start one": what a starting node
 * does, as `erl` does with epmd. Starting is the caller's job (`spawn`); this
 * file probes, calls it, and waits.
 *
 * @module
 */
import { Backoff } from "../core/backoff.ts";
import { sleep } from "../core/sleep.ts";
import type { Child } from "../runtime/types.ts";
import { EpmdError } from "./errors.ts";
import { getJson } from "./http.ts";
import { DEFAULT_EPMD_PORT, EPMD_SERVICE, mapperBase } from "./protocol.ts";
import type { EpmdHealth } from "./server.ts";

/** What answers on a mapper's port. */
export type Probe =
  | { kind: "up"; health: EpmdHealth }
  | { kind: "down"; cause: unknown }
  /** Something that is not a meshrpc port mapper holds the port. */
  | { kind: "foreign"; status: number };

export interface ProbeOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4370. */
  epmdPort?: number;
  /** Default 500 ms. */
  timeoutMs?: number;
}

function isHealth(body: unknown): body is EpmdHealth {
  const h = body as EpmdHealth;
  return typeof h === "object" && h !== null && h.service === EPMD_SERVICE && typeof h.pid === "number";
}

/** Asks `/health`; never rejects (a timeout counts as "down"). */
export async function probeEpmd(options: ProbeOptions = {}): Promise<Probe> {
  const url = `${mapperBase(options.host ?? "127.0.0.1", options.epmdPort ?? DEFAULT_EPMD_PORT)}/health`;
  try {
    const { status, body } = await getJson(url, options.timeoutMs ?? 500);
    return status === 200 && isHealth(body) ? { kind: "up", health: body } : { kind: "foreign", status };
  } catch (cause) {
    return { kind: "down", cause };
  }
}

export interface EnsureOptions {
  /** Default 4370. */
  epmdPort?: number;
  /** Where to probe. Default 127.0.0.1. */
  hostname?: string;
  /** Starts a mapper on `epmdPort`, detached (`meshrpc epmd --port P`). Called at most once. */
  spawn: () => Child;
  /** How long to wait for a started mapper. Default 5000 ms. */
  timeoutMs?: number;
  /** Where the spawned mapper logs, for the error message. */
  logFile?: string;
}

export interface Ensured {
  /** True when the mapper that answers is the one `spawn` started. */
  started: boolean;
  /** The mapper's process id. */
  pid: number;
}

// After the spawned mapper exits (it lost a race to bind), the winner is already listening: a short grace is enough.
const GRACE_AFTER_EXIT_MS = 1000;

function foreign(host: string, port: number, status: number): EpmdError {
  return new EpmdError(
    "in_use",
    `port ${port} on ${host} answers HTTP ${status} but is not a meshrpc port mapper: ` +
      "pick another port with --epmd-port or MESHRPC_EPMD_PORT",
  );
}

/**
 * Makes sure a port mapper answers on hostname:epmdPort, calling `spawn`
 * if none does, and waiting (short backoff) until it answers. Two callers
 * racing both spawn; the loser's mapper fails to bind and exits, and both
 * find the winner. Rejects with EpmdError "in_use" when something else holds
 * the port, and "timeout" when no mapper comes up within timeoutMs (the
 * message names the log file when given). Errors thrown by `spawn` propagate.
 */
export async function ensureEpmd(options: EnsureOptions): Promise<Ensured> {
  const host = options.hostname ?? "127.0.0.1";
  const epmdPort = options.epmdPort ?? DEFAULT_EPMD_PORT;
  const timeoutMs = options.timeoutMs ?? 5000;
  const probe = (ms: number) => probeEpmd({ host, epmdPort, timeoutMs: Math.max(50, Math.min(500, ms)) });

  const first = await probe(timeoutMs);
  if (first.kind === "up") return { started: false, pid: first.health.pid };
  if (first.kind === "foreign") throw foreign(host, epmdPort, first.status);

  const child = options.spawn();
  let deadline = Date.now() + timeoutMs;
  let exitCode: number | undefined;
  child.exited.then((code) => {
    exitCode = code;
    deadline = Math.min(deadline, Date.now() + GRACE_AFTER_EXIT_MS);
  });

  const delays = new Backoff({ firstMs: 20, maxMs: 200 });
  while (Date.now() < deadline) {
    await sleep(Math.min(delays.next(), Math.max(0, deadline - Date.now())));
    const p = await probe(deadline - Date.now());
    if (p.kind === "up") return { started: p.health.pid === child.pid, pid: p.health.pid };
    if (p.kind === "foreign") throw foreign(host, epmdPort, p.status);
  }
  const what = exitCode === undefined
    ? `the one started (pid ${child.pid}) is not answering`
    : `the one started (pid ${child.pid}) exited with code ${exitCode}`;
  const where = options.logFile ? `: see ${options.logFile}` : "";
  throw new EpmdError(
    "timeout",
    `no port mapper came up on ${host}:${epmdPort} within ${timeoutMs} ms; ${what}${where}`,
  );
}
