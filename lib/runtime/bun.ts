/**
 * The runtime seam on Bun. Loaded only by `mod.ts`, only under Bun.
 *
 * @module
 */
import process from "node:process";
import type { Server as BunServer, ServerWebSocket } from "bun";
import { shared } from "./shared.ts";
import { type ConnInfo, DEFAULT_MAX_MESSAGE_BYTES, type Runtime, type Server, type ServeOptions, type Transport } from "./types.ts";
import { closeReason, isUpgrade } from "../core/websocket.ts";
import { Inbox } from "./websocket.ts";

type WsData = { inbox: Inbox; accept: (t: Transport) => void; remoteAddress: string };

function serverTransport(ws: ServerWebSocket<WsData>): Transport {
  const { inbox, remoteAddress } = ws.data;
  return {
    remoteAddress,
    get bufferedAmount() {
      return inbox.closed ? 0 : ws.getBufferedAmount();
    },
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

// Bun's own ceiling for a timeout; a longer wait turns the timeout off for that request.
const MAX_TIMEOUT_SECONDS = 255;

function serve(options: ServeOptions): Promise<Server> {
  const idle = options.idleTimeoutSeconds ?? 0;
  if (!Number.isInteger(idle) || idle < 0 || idle > MAX_TIMEOUT_SECONDS) {
    throw new RangeError(`idleTimeoutSeconds must be a whole number from 0 to ${MAX_TIMEOUT_SECONDS}, not ${idle}`);
  }
  const server = Bun.serve<WsData>({
    hostname: options.hostname,
    port: options.port,
    tls: options.tls,
    idleTimeout: idle,
    fetch(req, srv) {
      // A WebSocket handshake is a GET (RFC 6455 §4.1): other requests skip the header lookup.
      if (req.method === "GET" && options.upgrade && isUpgrade(req)) {
        const remoteAddress = srv.requestIP(req)?.address ?? "";
        const accept = options.upgrade(req, { remoteAddress });
        if (accept) {
          if (srv.upgrade(req, { data: { inbox: new Inbox(), accept, remoteAddress } })) return undefined;
          return new Response("WebSocket upgrade failed", { status: 400 });
        }
      }
      return options.fetch(req, new RequestInfo(req, srv, idle));
    },
    websocket: {
      maxPayloadLength: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
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

/**
 * A request's ConnInfo. The peer's address is looked up when a handler reads
 * it (and once): `POST /rpc` never does, and the lookup costs about as much
 * as the rest of the call's own code. Methods, not closures made per request.
 */
class RequestInfo implements ConnInfo {
  #req: Request;
  #srv: BunServer<WsData>;
  #idle: number;
  #remoteAddress: string | undefined;

  constructor(req: Request, srv: BunServer<WsData>, idle: number) {
    this.#req = req;
    this.#srv = srv;
    this.#idle = idle;
  }

  get remoteAddress(): string {
    return (this.#remoteAddress ??= this.#srv.requestIP(this.#req)?.address ?? "");
  }

  /**
   * Bun keeps an extended timeout after the response (and 0 means never
   * again), so the handler sets it back to the idle timeout with the
   * function returned, before its answer goes out.
   */
  expectLong(seconds: number): (() => void) | undefined {
    const idle = this.#idle;
    // No idle timeout, or the request has at least `idle` seconds from its last byte: nothing to extend.
    if (idle === 0 || Math.ceil(seconds) <= idle) return undefined;
    this.#arm(seconds > MAX_TIMEOUT_SECONDS || !Number.isFinite(seconds) ? 0 : Math.ceil(seconds));
    return () => this.#arm(idle);
  }

  #arm(seconds: number): void {
    try {
      this.#srv.timeout(this.#req, seconds);
    } catch {
      // The client went away: nothing left to time out.
    }
  }
}

/**
 * The JIT policy the compiled executable starts with (the Makefile passes the
 * same number to `--compile-jit-policy` and `--define`); undeclared when the
 * sources run under `bun run`, or when Bun is the library's host program.
 */
declare const MESHRPC_START_JIT_POLICY: number;
let startupJit = typeof MESHRPC_START_JIT_POLICY === "number" && MESHRPC_START_JIT_POLICY !== 1;

export const bun: Runtime = {
  ...shared,
  name: "bun",
  version: Bun.version,
  args: process.argv.slice(2),
  selfCommand: () => (isCompiled() ? [process.execPath] : [process.execPath, "run", Bun.main]),
  startupDone() {
    // Only the policy meshrpc's build raised, once: a program embedding the library keeps its own.
    if (!startupJit) return;
    startupJit = false;
    Bun.unsafe.setJITPolicy(1);
  },
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
  // node:dns's lookup calls Bun.dns.lookup on Bun: asking it directly spares loading
  // node:dns, about 1 MiB of an idle node's resident memory (measured with compiled stubs).
  async resolveHost(host) {
    const [first] = await Bun.dns.lookup(host);
    if (!first) throw new Error(`${host} has no address`);
    return first.address;
  },
};
