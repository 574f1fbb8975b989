/**
 * The TCP part of the runtime seam: what the Erlang port mapper and
 * distribution protocols (lib/erlang/) are handed, implemented once for both
 * runtimes in `tcp.ts`.
 *
 * @module
 */

/**
 * A TCP connection: a duplex byte stream (the Erlang port mapper and
 * distribution protocols run on it). Bytes arrive in chunks of any size;
 * framing is the protocol's job.
 */
export interface TcpStream {
  /**
   * Queues bytes for sending. Returns false when the queue is over its high
   * water mark: the caller should `await drained()` before writing more.
   * A no-op (returning false) once the stream is closed.
   */
  write(data: Uint8Array): boolean;
  /** Resolves when the send queue has drained, or at once when it is empty or the stream closed. */
  drained(): Promise<void>;
  /**
   * Sets the handlers. Chunks that arrive before this call are kept and
   * delivered; `close` runs once, after the last chunk, with the error that
   * ended the stream (undefined for an orderly end by either side).
   */
  listen(handlers: TcpHandlers): void;
  /** Sends what is queued, then closes; `close` handlers then run once. */
  end(): void;
  /** Closes at once, dropping what is queued; `close` handlers then run once. */
  close(): void;
  /** The peer's address and port. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** This side's port. */
  readonly localPort: number;
}

export interface TcpHandlers {
  data(chunk: Uint8Array): void;
  close(error?: Error): void;
}

export interface ConnectTcpOptions {
  /** Gives up after this long (ms). */
  timeoutMs: number;
}

export interface ListenTcpOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
}

/** A listening TCP socket. */
export interface TcpServer {
  readonly hostname: string;
  readonly port: number;
  /** Stops listening and closes every connection it accepted. */
  close(): Promise<void>;
}

/** The TCP part of the runtime, what protocol code is handed. */
export interface TcpNet {
  /**
   * Opens a TCP connection (Nagle off). Rejects with an Error saying what
   * failed (refused, unresolvable host, or no connection within `timeoutMs`).
   */
  connectTcp(host: string, port: number, options: ConnectTcpOptions): Promise<TcpStream>;
  /**
   * Listens on `hostname:port` and hands each accepted connection to
   * `accept`. Rejects when the address is taken or cannot be bound.
   */
  listenTcp(options: ListenTcpOptions, accept: (stream: TcpStream) => void): Promise<TcpServer>;
}
