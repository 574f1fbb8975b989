/**
 * Asking a host's port mapper: the port of a name, the list of names. Every
 * failure is an `EpmdError` whose `reason` says which kind it is.
 *
 * @module
 */
import { EpmdError } from "./errors.ts";
import { getJson } from "./http.ts";
import { DEFAULT_EPMD_PORT, mapperBase, type NameEntry } from "./protocol.ts";

export interface LookupOptions {
  /** The host whose mapper to ask (the host part of the node name). */
  host: string;
  /** Default 4370. */
  epmdPort?: number;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

function lookupUnreachable(host: string, epmdPort: number, what: string, cause?: unknown): EpmdError {
  return new EpmdError(
    "unreachable",
    `no port mapper answers on ${host}:${epmdPort}${what}: start the node there, ` +
      "or name it as name@host:port to skip the mapper",
    { cause },
  );
}

async function ask(options: LookupOptions, path: string, what: string): Promise<{ status: number; body: unknown }> {
  const epmdPort = options.epmdPort ?? DEFAULT_EPMD_PORT;
  const timeoutMs = options.timeoutMs ?? 2000;
  try {
    return await getJson(`${mapperBase(options.host, epmdPort)}${path}`, timeoutMs);
  } catch (err) {
    if (err instanceof EpmdError) {
      throw new EpmdError(
        "timeout",
        `the port mapper on ${options.host}:${epmdPort} did not answer${what} within ${timeoutMs} ms: is the host up?`,
        {
          cause: err,
        },
      );
    }
    throw lookupUnreachable(options.host, epmdPort, what, err);
  }
}

function isEntry(v: unknown): v is NameEntry {
  const e = v as NameEntry;
  return typeof e === "object" && e !== null && typeof e.name === "string" && Number.isInteger(e.port);
}

/**
 * The port that node `name` on `host` listens on. Rejects with EpmdError:
 * "unreachable" (no mapper on that host), "unknown" (the mapper has no such
 * name), "timeout".
 */
export async function lookupPort(options: LookupOptions & { name: string }): Promise<number> {
  const epmdPort = options.epmdPort ?? DEFAULT_EPMD_PORT;
  const { status, body } = await ask(
    options,
    `/names/${encodeURIComponent(options.name)}`,
    ` (looking up ${options.name})`,
  );
  if (status === 200 && isEntry(body)) return body.port;
  if (status === 404 && (body as { error?: string })?.error === "unknown") {
    throw new EpmdError(
      "unknown",
      `no node named ${options.name} on ${options.host} (meshrpc names ${options.host} lists them)`,
    );
  }
  throw lookupUnreachable(options.host, epmdPort, ` (HTTP ${status} is not a port mapper's answer)`);
}

/**
 * Every name registered with the mapper on `host`, sorted by name. Rejects
 * with EpmdError "unreachable" or "timeout".
 */
export async function listNames(options: LookupOptions): Promise<NameEntry[]> {
  const epmdPort = options.epmdPort ?? DEFAULT_EPMD_PORT;
  const { status, body } = await ask(options, "/names", "");
  const names = (body as { names?: unknown })?.names;
  if (status === 200 && Array.isArray(names) && names.every(isEntry)) return names;
  throw lookupUnreachable(options.host, epmdPort, ` (HTTP ${status} is not a port mapper's answer)`);
}
