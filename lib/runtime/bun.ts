/**
 * The runtime seam on Bun. Loaded only by `mod.ts`, only under Bun.
 *
 * @module
 */
import process from "node:process";
import type { ServerWebSocket } from "bun";
import { shared } from "./shared.ts";
import type { Runtime, Server, ServeOptions, Transport } from "./types.ts";
import { closeReason, isUpgrade } from "../core/websocket.ts";
import { Inbox } from "./websocket.ts";

type WsData = { inbox: Inbox; accept: (t: Transport) => void; remoteAddress: string };

function serverTransport(ws: ServerWebSocket<WsData>): Transport {
  const { inbox, remoteAddress } = ws.data;
  return {
    remoteAddress,
    send(data) {
      if (!inbox.closed) ws.send(data);
    },
    close(code = 1000, reason = "") {
      ws.close(code, closeReason(reason));
      inbox.close(code, reason);
    },
    listen: (h) => inbox.listen(h),
  };
}

// A compiled binary runs its bundled entry from Bun's virtual file system.
function isCompiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
}

function wrap(server: { hostname?: string; port?: number; stop(force?: boolean): Promise<void> | void }): Server {
  return {
    hostname: server.hostname ?? "",
    port: server.port ?? 0,
    drain() {
      void server.stop(false);
    },
    async stop() {
      await server.stop(true);
    },
  };
}

function serve(options: ServeOptions): Promise<Server> {
  const server = Bun.serve<WsData>({
    hostname: options.hostname,
    port: options.port,
    tls: options.tls,
    // Calls may run up to their timeout; the client decides when to give up.
    idleTimeout: options.idleTimeoutSeconds ?? 0,
    fetch(req, srv) {
      const remoteAddress = srv.requestIP(req)?.address ?? "";
      const accept = isUpgrade(req) ? options.upgrade?.(req, { remoteAddress }) : undefined;
      if (accept) {
        if (srv.upgrade(req, { data: { inbox: new Inbox(), accept, remoteAddress } })) return undefined;
        return new Response("WebSocket upgrade failed", { status: 400 });
      }
      return options.fetch(req, { remoteAddress });
    },
    websocket: {
      maxPayloadLength: options.maxMessageBytes ?? 64 * 1024 * 1024,
      open(ws) {
        ws.binaryType = "uint8array";
        ws.data.accept(serverTransport(ws));
      },
      message(ws, message) {
        if (typeof message === "string") ws.close(1003, "binary frames only");
        else ws.data.inbox.message(message);
      },
      close(ws, code, reason) {
        ws.data.inbox.close(code, reason);
      },
    },
  });
  return Promise.resolve(wrap(server));
}

export const bun: Runtime = {
  ...shared,
  name: "bun",
  version: Bun.version,
  args: process.argv.slice(2),
  selfCommand: () => (isCompiled() ? [process.execPath] : [process.execPath, "run", Bun.main]),
  onSignal(signal, handler) {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  serve,
  serveUnix(path, fetch) {
    // The types omit idleTimeout for Unix sockets, but Bun honours it; 0 keeps `monitor` streams open.
    const options = { unix: path, idleTimeout: 0, fetch: (req: Request) => fetch(req, { remoteAddress: "unix" }) };
    const server = Bun.serve(options as unknown as Parameters<typeof Bun.serve>[0]);
    return Promise.resolve(wrap(server));
  },
  fetchUnix: (path, req) => fetch(req, { unix: path }),
};
