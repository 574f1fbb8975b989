/**
 * What a node is started with, and the defaults (the daemon's flags map
 * onto these one to one).
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { Logger } from "../core/log.ts";

export interface NodeOptions {
  /** `name@host`, or a bare name that gets this host's (short) name. */
  name: string;
  /** With a bare name: use the full hostname (Erlang's `-name`) instead of the short one (`-sname`). */
  longNames?: boolean;
  /** Else `$MESHRPC_COOKIE`, else `~/.meshrpc.cookie`. */
  cookie?: string;
  /** TCP port for links and HTTP; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on. Default 0.0.0.0 (every interface), as Erlang does. */
  listen?: string;
  /** Nodes to connect to now, and again whenever they are lost. */
  join?: string[];
  /** Every `.ts`/`.js` file in it becomes a module. */
  modulesDir?: string;
  /** Connect without joining the mesh (Erlang's `-hidden`). */
  hidden?: boolean;
  /** Erlang's net_ticktime, in seconds. Default 60. */
  ticktimeSeconds?: number;
  /** Default `$MESHRPC_EPMD_PORT`, else 4370. */
  epmdPort?: number;
  /** Register with the port mapper (starting one if none runs). Default true. */
  epmd?: boolean;
  /** Where the control socket goes; default from `$MESHRPC_RUNTIME_DIR` etc. */
  runtimeDir?: string;
  /** Serve the control socket (what the CLI talks to). Default true. */
  control?: boolean;
  /** PEM files: serve HTTPS, and links over wss://. */
  tls?: { certFile: string; keyFile: string };
  /** Default: no logs (the daemon passes a stderr logger). */
  log?: Logger;
  limits?: Limits;
  /** How long a stop waits for calls in flight. Default 5000 ms. */
  shutdownTimeoutMs?: number;
}

export const DEFAULTS = {
  listen: "0.0.0.0",
  port: 0,
  ticktimeSeconds: 60,
  shutdownTimeoutMs: 5000,
  setupTimeoutMs: 5000,
} as const;

/** Thrown by `startNode` when a node cannot start; `exitCode` is what the CLI exits with. */
export class NodeStartError extends Error {
  override name = "NodeStartError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
