/**
 * What a node is started with, and the defaults (the daemon's flags map
 * onto these one to one).
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { Logger } from "../core/log.ts";
import type { NodeAddress } from "../core/name.ts";
import type { Runtime } from "../runtime/types.ts";

/** How `startNode` starts a node; the daemon's flags map onto these one to one. */
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
  /**
   * Also speak Erlang's own distribution: register with the host's epmd
   * (`ERL_EPMD_PORT`, else 4369; started, or served, when none runs) so
   * that Erlang and Elixir nodes can ping and call this node, and calls to
   * Erlang nodes by name work. Default false.
   */
  erlang?: boolean;
  /** The TCP port for Erlang nodes to connect to; 0 (default) picks a free one. */
  erlangPort?: number;
  /** Erlang's epmd port. Default `$ERL_EPMD_PORT`, else 4369. */
  erlangEpmdPort?: number;
  /** Where the control socket goes; default from `$MESHRPC_RUNTIME_DIR` etc. */
  runtimeDir?: string;
  /** Serve the control socket (what the CLI talks to). Default true. */
  control?: boolean;
  /** PEM files: serve HTTPS, and links over wss://. */
  tls?: { certFile: string; keyFile: string };
  /** Default: no logs (the daemon passes a stderr logger). */
  log?: Logger;
  /** How large and how deeply nested a call's arguments may be (HTTP and links). Default 8 MiB, 100 levels. */
  limits?: Limits;
  /** How long a stop waits for calls in flight. Default 5000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * Closes an idle HTTP keep-alive connection after this long (0: never);
   * a call may still run for its whole timeout. Default 30; at most 255. Bun only.
   */
  httpIdleTimeoutSeconds?: number;
  /** HTTP requests served at once; more are answered 503 with Retry-After. Default 4096. */
  httpMaxRequests?: number;
}

/** What `startNode` settles before the node starts. */
export interface NodeParts {
  rt: Runtime;
  address: NodeAddress;
  cookie: string;
  hidden: boolean;
  listen: string;
  epmdPort: number;
  /** Erlang's epmd port (`ERL_EPMD_PORT`, else 4369), for `erlang`. */
  erlEpmdPort: number;
  runtimeDir: string;
  limits: Limits;
  log: Logger;
  shutdownTimeoutMs: number;
  scheme: "ws" | "wss";
}

export const DEFAULTS = {
  listen: "0.0.0.0",
  port: 0,
  ticktimeSeconds: 60,
  shutdownTimeoutMs: 5000,
  setupTimeoutMs: 5000,
  httpIdleTimeoutSeconds: 30,
} as const;

/**
 * Why a node could not start. The first four and "unsafe_runtime_dir" are bad input (the CLI exits
 * 2 for them), the rest failures of the host or the mesh (the CLI exits 1).
 */
export type StartFailure =
  /** The name is malformed, carries a port, or its host does not resolve. */
  | "bad_name"
  /** The cookie is malformed, or its file is readable by others or cannot be created. */
  | "bad_cookie"
  /** Another setting is out of range (ticktime, port mapper port, runtime directory path length). */
  | "bad_option"
  /** The modules directory or a TLS file cannot be read. */
  | "unreadable_file"
  /** A node of this name already answers on its control socket. */
  | "already_running"
  /** The port mapper already has a node of this name. */
  | "name_taken"
  /** No port mapper could be reached or started. */
  | "epmd_unavailable"
  /** The HTTP port or the control socket cannot be listened on (in use, bad address, bad TLS, something foreign at the socket path). */
  | "listen_failed"
  /** A file in the modules directory does not import. */
  | "module_failed"
  /** The runtime directory cannot be created. */
  | "runtime_dir_failed"
  /** The runtime directory is not this user's alone (a symbolic link, another owner, writable by others). */
  | "unsafe_runtime_dir";

/** Thrown by `startNode` when a node cannot start; `reason` says why, the message what to do. */
export class NodeStartError extends Error {
  /** Always "NodeStartError". */
  override name = "NodeStartError";
  /** Why the node could not start (the CLI maps it to its exit code). */
  readonly reason: StartFailure;
  /** @ignore Thrown by `startNode`. */
  constructor(reason: StartFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
