/**
 * TCP for Bun and Deno alike, through `node:net` (both implement it), behind
 * the `TcpNet` interface of `types.ts`.
 *
 * @module
 */
import type * as net from "node:net";
import { nodeNet } from "./builtins.ts";
import type { ConnectTcpOptions, ListenTcpOptions, TcpHandlers, TcpNet, TcpServer, TcpStream } from "./tcp_types.ts";

/** Wraps a connected socket; chunks and the close that come before `listen` are kept. */
function wrapSocket(socket: net.Socket): TcpStream {
  let handlers: TcpHandlers | undefined;
  const early: Uint8Array[] = [];
  let closed = false;
  let closeError: Error | undefined;
  let closeDelivered = false;
  let error: Error | undefined;
  const deliverClose = () => {
    if (!handlers || closeDelivered || !closed) return;
    closeDelivered = true;
    handlers.close(closeError);
  };
  socket.setNoDelay(true);
  socket.on("data", (chunk: Uint8Array) => {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (handlers) handlers.data(bytes);
    else early.push(bytes);
  });
  socket.on("error", (err: Error) => {
    error = err;
  });
  socket.on("close", () => {
    closed = true;
    closeError = error;
    deliverClose();
  });
  return {
    remoteAddress: socket.remoteAddress ?? "",
    remotePort: socket.remotePort ?? 0,
    localPort: socket.localPort ?? 0,
    write(data) {
      if (closed || socket.destroyed || socket.writableEnded) return false;
      return socket.write(data);
    },
    drained() {
      if (closed || socket.destroyed || !socket.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    },
    listen(h) {
      if (handlers) throw new TypeError("listen() was already called on this TCP stream");
      handlers = h;
      for (const chunk of early.splice(0)) h.data(chunk);
      deliverClose();
    },
    end() {
      if (!socket.destroyed) socket.end();
    },
    close() {
      socket.destroy();
    },
  };
}

function connectTcp(host: string, port: number, options: ConnectTcpOptions): Promise<TcpStream> {
  return new Promise((resolve, reject) => {
    const socket = nodeNet().connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No TCP connection to ${host}:${port} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(wrapSocket(socket));
    });
    socket.once("error", (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`Cannot connect to ${host}:${port} over TCP: ${err.message}`, { cause: err }));
    });
  });
}

function listenTcp(options: ListenTcpOptions, accept: (stream: TcpStream) => void): Promise<TcpServer> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>();
    const server = nodeNet().createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      accept(wrapSocket(socket));
    });
    server.once("error", (err: Error) => {
      reject(new Error(`Cannot listen on ${options.hostname}:${options.port} over TCP: ${err.message}`, { cause: err }));
    });
    server.listen(options.port, options.hostname, () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        hostname: options.hostname,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export const tcp: TcpNet = { connectTcp, listenTcp };
