/**
 * The runtime seam on Deno. Loaded only by `mod.ts`, only under Deno.
 *
 * @module
 */
import { LineSink } from "./line_sink.ts";
import { shared } from "./shared.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, type Runtime, type ServeOptions, type Server } from "./types.ts";
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { isUpgrade } from "../core/websocket.ts";
import { webSocketTransport } from "./websocket.ts";
import { dialDeno } from "./ws_dial_deno.ts";

// Deno's shutdown waits for every response, and an open event stream never ends by itself.
const FORCED_STOP_MS = 1000;

function wrap(server: Deno.HttpServer, hostname: string, port: number): Server {
  let shutdown: Promise<void> | undefined;
  const drain = () => (shutdown ??= server.shutdown());
  return {
    hostname,
    port,
    drain() {
      void drain();
    },
    async stop() {
      await deadline(drain(), FORCED_STOP_MS).catch((err) => {
        if (!isTimeoutError(err)) throw err;
      });
    },
  };
}

function remoteOf(info: Deno.ServeHandlerInfo): string {
  const addr = info.remoteAddr as Deno.Addr;
  return "hostname" in addr ? addr.hostname : "unix";
}

// Deno.serve has no idle timeout to set: `idleTimeoutSeconds` is Bun's only, and `expectLong` absent.
// Deno.serve throws synchronously when it cannot listen (async turns that into a rejection),
// and knows its address once it returns.
// deno-lint-ignore require-await
async function serve(options: ServeOptions): Promise<Server> {
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ?? {}),
    onListen: () => {},
    onError: (err) => new Response(`Internal error: ${(err as Error).message}`, { status: 500 }),
    handler(req, info) {
      // A WebSocket handshake is a GET (RFC 6455 §4.1): other requests skip the header lookup.
      if (req.method === "GET" && options.upgrade && isUpgrade(req)) {
        const remoteAddress = remoteOf(info);
        const accept = options.upgrade(req, { remoteAddress });
        if (accept) {
          const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
          accept(webSocketTransport(socket, remoteAddress, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES));
          return response;
        }
      }
      // Looked up when a handler reads it: `POST /rpc` never does.
      return options.fetch(req, {
        get remoteAddress() {
          return remoteOf(info);
        },
      });
    },
  });
  const addr = server.addr as Deno.NetAddr;
  return wrap(server, addr.hostname, addr.port);
}

const unixClients = new Map<string, Deno.HttpClient>();

// node:fs's write on Deno blocks the event loop on a full pipe; Deno.stderr.write does not.
const stderrSink = new LineSink((data) => Deno.stderr.write(data));

export const deno: Runtime = {
  ...shared,
  name: "deno",
  version: Deno.version.deno,
  args: Deno.args,
  logLine: (text) => stderrSink.line(text),
  flushLog: (ms) => stderrSink.flush(ms),
  selfCommand: () => {
    const main = new URL(Deno.mainModule);
    return [Deno.execPath(), "run", "-A", main.protocol === "file:" ? decodeURIComponent(main.pathname) : main.href];
  },
  // Deno has no JIT policy to restore.
  startupDone() {},
  onSignal(signal, handler) {
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  },
  serve,
  // Not the built-in WebSocket client: see ws_dial_deno.ts.
  dial: dialDeno,
  // deno-lint-ignore require-await
  async serveUnix(path, fetch) {
    const server = Deno.serve({
      path,
      transport: "unix",
      onListen: () => {},
      handler: (req) => fetch(req, { remoteAddress: "unix" }),
    });
    return wrap(server, path, 0);
  },
  fetchUnix(path, req) {
    let client = unixClients.get(path);
    if (!client) {
      client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
      unixClients.set(path, client);
    }
    return fetch(req, { client });
  },
};
