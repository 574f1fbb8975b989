/**
 * A client of Erlang's port mapper daemon, epmd (erlang/otp
 * erts/doc/guides/erl_dist_protocol.md): register this node's name and
 * distribution port, look up another node's port, list the names. It talks
 * through the `TcpNet` it is handed.
 *
 * @module
 */
import type { TcpNet } from "../runtime/types.ts";

/** The port epmd listens on when `ERL_EPMD_PORT` says nothing. */
export const DEFAULT_EPMD_PORT = 4369;

/** The distribution protocol version this node speaks (OTP 23+). */
export const DIST_VERSION = 6;

/** Where epmd is: host and port. */
export type EpmdAddress = { host: string; port: number };

/** What epmd knows about a registered node (PORT2_RESP). */
export type NodeEntry = {
  /** The name without `@host`. */
  name: string;
  /** The node's distribution port. */
  port: number;
  /** "normal" (77) or "hidden" (72). */
  type: "normal" | "hidden";
  /** 0 for TCP/IPv4. */
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  extra: Uint8Array;
};

export type RegisterOptions = {
  /** The node name without `@host` (`ts` for `ts@localhost`). */
  name: string;
  /** The port this node accepts distribution connections on. */
  port: number;
  /** Register as a hidden node (type 72) rather than a normal one (77). */
  hidden?: boolean;
  /** Keep trying this long (ms) while epmd says the name is taken (it may be a stale registration). Default 3000. */
  retryMs?: number;
  /** Gives up connecting after this long (ms). Default 2000. */
  timeoutMs?: number;
};

/** A registration held open with epmd: the name is registered for as long as its connection lives. */
export interface Registration {
  /** The creation epmd assigned (ALIVE2_X_RESP): goes into the handshake and every pid, ref and port. */
  readonly creation: number;
  /** Resolves when epmd dropped the connection (the name is no longer registered), not after `close()`. */
  readonly lost: Promise<void>;
  /** Unregisters (closes the connection). */
  close(): void;
}

/** The epmd port from `ERL_EPMD_PORT` (as `env` reads it), else 4369; throws RangeError for a value that is not a port. */
export function epmdPortFromEnv(env: (name: string) => string | undefined): number {
  const raw = env("ERL_EPMD_PORT");
  if (raw === undefined || raw === "") return DEFAULT_EPMD_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`ERL_EPMD_PORT must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

/**
 * Registers `options.name` at `options.port` with epmd (ALIVE2_REQ,
 * versions 6–6) and keeps the connection open as the registration.
 *
 * Rejects with `EpmdError` when epmd cannot be reached, answers something
 * that is not ALIVE2_X_RESP/ALIVE2_RESP, or still refuses the name (taken)
 * after `retryMs`.
 */
export function registerNode(net: TcpNet, epmd: EpmdAddress, options: RegisterOptions): Promise<Registration> {
  void net, epmd, options;
  throw new Error("not implemented");
}

/**
 * Asks epmd for the port of node `name` (without `@host`; PORT_PLEASE2_REQ).
 * Resolves undefined when epmd has no such name.
 *
 * Rejects with `EpmdError` when epmd cannot be reached within `timeoutMs`
 * (default 2000) or answers malformed bytes.
 */
export function lookupNode(
  net: TcpNet,
  epmd: EpmdAddress,
  name: string,
  options: { timeoutMs?: number } = {},
): Promise<NodeEntry | undefined> {
  void net, epmd, name, options;
  throw new Error("not implemented");
}

/**
 * The names epmd has registered and their ports (NAMES_REQ).
 *
 * Rejects with `EpmdError` when epmd cannot be reached or answers malformed bytes.
 */
export function listNames(
  net: TcpNet,
  epmd: EpmdAddress,
  options: { timeoutMs?: number } = {},
): Promise<{ name: string; port: number }[]> {
  void net, epmd, options;
  throw new Error("not implemented");
}

/** Something went wrong talking to epmd; the message says what and what to do. */
export class EpmdError extends Error {
  override name = "EpmdError";
}
