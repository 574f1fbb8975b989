/**
 * The port mapper (Erlang's epmd): server, client, and "start one if none runs".
 *
 * @module
 */
export {
  createEpmdApp,
  type EpmdHealth,
  type EpmdOptions,
  type EpmdServer,
  type MapperInfo,
  startEpmd,
} from "./server.ts";
export { type Claim, type Holding, Registry } from "./registry.ts";
export { registerName, type RegisterOptions, type Registration } from "./client.ts";
export { listNames, type LookupOptions, lookupPort } from "./lookup.ts";
export { type Ensured, ensureEpmd, type EnsureOptions, type Probe, probeEpmd, type ProbeOptions } from "./ensure.ts";
export { EpmdError, type EpmdFailure } from "./errors.ts";
export { CLOSE_CODES, type CloseCode, DEFAULT_EPMD_PORT, EPMD_SERVICE, type NameEntry } from "./protocol.ts";
