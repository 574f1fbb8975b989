/**
 * The one seam between meshrpc and the runtime it runs on. Everything that
 * needs `Bun`, `Deno` or `node:*` goes through this interface; `bun.ts` and
 * `deno.ts` implement it, and `mod.ts` picks one.
 *
 * @module
 */
import type { TcpNet } from "./tcp_types.ts";

/** A message-oriented duplex connection (a WebSocket, server or client side). */
export interface Transport {
  /**
   * Queues bytes for sending; a no-op once the transport is closed. The
   * bytes are copied before it returns: the caller may reuse the buffer.
   */
  send(data: Uint8Array): void;
  /**
   * Closes the connection; `onClose` handlers then run once. A reason over
   * the close frame's 123 bytes is cut to fit (`closeReason`).
   */
  close(code?: number, reason?: string): void;
  /** Sets the handlers; messages that arrive before this call are kept and delivered. */
  listen(handlers: TransportHandlers): void;
  /** The peer's IP address, when known. */
  readonly remoteAddress: string;
  /** Bytes `send` queued that the connection has not written yet. */
  readonly bufferedAmount: number;
}

export interface TransportHandlers {
  message(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Per-request facts that `Request` does not carry. */
export interface ConnInfo {
  /** The peer's address; a runtime may look it up only when it is read. */
  remoteAddress: string;
  /**
   * Lets this request run at least `seconds` more without the server's idle
   * timeout (`ServeOptions.idleTimeoutSeconds`) closing its connection; what
   * it returns sets the timeout back once the answer is ready. Absent, or
   * returning undefined, where there is nothing to extend (Deno, or no idle
   * timeout). Never throws.
   */
  expectLong?(seconds: number): (() => void) | undefined;
}

export type FetchHandler = (req: Request, info: ConnInfo) => Response | Promise<Response>;

export interface ServeOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  fetch: FetchHandler;
  /** PEM text. */
  tls?: { cert: string; key: string };
  /**
   * Called for requests that ask for a WebSocket upgrade (a GET with `Upgrade: websocket`). Return a handler to
   * accept it (it gets the open transport), or undefined to pass the request
   * to `fetch`.
   */
  upgrade?: (req: Request, info: ConnInfo) => ((t: Transport) => void) | undefined;
  /**
   * The largest WebSocket message accepted (default 1 MiB). A larger one
   * closes the socket with 1009; on Bun before it is buffered, on Deno (which
   * has no such option) once it has arrived.
   */
  maxMessageBytes?: number;
  /**
   * Closes a keep-alive connection about this long (up to twice as long)
   * after its last response; a request that runs longer is cut unless its
   * handler calls `info.expectLong`. A connection that never sends a request
   * is closed after about 10 s regardless. 0 or absent: never (an idle
   * connection holds a file descriptor forever). At most 255 (Bun's limit).
   * Upgraded WebSockets are not affected. Bun only: Deno's server keeps its
   * own defaults.
   */
  idleTimeoutSeconds?: number;
}

/** `ServeOptions.maxMessageBytes` when none is given. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export interface Server {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting connections; requests in flight go on. Returns at once. */
  drain(): void;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

export interface DialOptions {
  /** Gives up after this long (ms). */
  timeoutMs: number;
  /**
   * The largest message the other side may send; a bigger one closes the
   * connection with 1009 (what arrives before authentication is hostile).
   * Deno's dialing client refuses it before buffering it; Bun's built-in
   * client has no such option, and it is refused once received.
   * Default `DEFAULT_MAX_MESSAGE_BYTES`.
   */
  maxMessageBytes?: number;
}

/** What `spawnDetached` gives back. */
export interface Child {
  pid: number;
  /** Resolves with the exit code when the child ends (while this process lives). */
  exited: Promise<number>;
}

export interface OsInfo {
  hostname: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  loadavg: [number, number, number];
  totalMemory: number;
  freeMemory: number;
  osUptime: number;
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

export type Signal = "SIGTERM" | "SIGINT" | "SIGHUP";

export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSocket: boolean;
  /** Only `lstat` reports links; `stat` follows them. */
  isSymbolicLink: boolean;
  mode: number;
  /** The owner's user id. */
  uid: number;
}

export interface Runtime extends TcpNet {
  readonly name: "bun" | "deno";
  readonly version: string;
  readonly pid: number;
  /** Arguments after the program (and script) name. */
  readonly args: string[];
  /** The argv that starts this same program again (binary, or runtime + script). */
  selfCommand(): string[];

  env(name: string): string | undefined;
  uid(): number;
  homeDir(): string | undefined;
  exit(code: number): never;
  /** Registers a handler; returns a function that removes it. */
  onSignal(signal: Signal, handler: () => void): () => void;
  /** Sends a signal to a process; false if it does not exist. */
  kill(pid: number, signal?: "SIGTERM" | "SIGKILL" | 0): boolean;
  /** True when a process with this pid exists, also another user's (where `kill(pid, 0)` is false). */
  processExists(pid: number): boolean;
  /**
   * A call ran: the node's start-up is over. If this executable started with
   * its JIT reluctant to compile (start-up and link set-up code runs a few
   * times, then never again), the JIT goes back to its normal thresholds.
   * Only the first call does anything.
   */
  startupDone(): void;

  /** Writes a line (newline added) to stdout / stderr. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Raw bytes to stdout (for `--format cbor`). */
  stdoutBytes(data: Uint8Array): void;
  /**
   * Queues a log line (newline added) for stderr, written asynchronously so
   * that a reader that stops reading never blocks the process. Throws a
   * RangeError (the line is dropped) when 1 MiB already waits.
   */
  logLine(text: string): void;
  /** Resolves once queued log lines are written, or after `ms`. Never rejects. */
  flushLog(ms: number): Promise<void>;

  os(): OsInfo;
  memory(): MemoryUsage;
  /** Resolves a host name to an IPv4/IPv6 address; rejects when it does not resolve. */
  resolveHost(host: string): Promise<string>;

  serve(options: ServeOptions): Promise<Server>;
  /** An HTTP server on a Unix socket (path must not exist). */
  serveUnix(path: string, fetch: FetchHandler): Promise<Server>;
  /** Sends a request over a Unix socket. */
  fetchUnix(path: string, req: Request): Promise<Response>;
  /** Opens a WebSocket client connection (`ws://` or `wss://`). */
  dial(url: string, options: DialOptions): Promise<Transport>;

  /**
   * Starts a process that outlives this one, its stdout and stderr appended
   * to `logFile` (created with mode 0600; a symbolic link there is refused,
   * not followed). It inherits this process's environment, but only the
   * variables `keepEnv` accepts when given, plus `env`. Throws when the log
   * file cannot be opened.
   */
  spawnDetached(
    argv: string[],
    options: { env?: Record<string, string>; logFile: string; keepEnv?: (name: string) => boolean },
  ): Child;

  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, text: string, options?: { mode?: number; createNew?: boolean }): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** undefined when the path does not exist. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** What is at the path itself, a symbolic link not followed; undefined when nothing is. */
  lstat(path: string): Promise<FileInfo | undefined>;
  /** Where a symbolic link points; rejects when the path is not one. */
  readLink(path: string): Promise<string>;
  remove(path: string): Promise<void>;
  readDir(path: string): Promise<string[]>;
  /**
   * The names in a directory, read at once, for a command that lists one
   * directory and exits: `readDir` starts a thread pool (Bun), 2.7 ms of
   * such a command's run against 0.4. A node keeps to `readDir`. Throws what the
   * system says (ENOENT when there is no such directory).
   */
  readDirSync(path: string): string[];
  realPath(path: string): Promise<string>;
}
