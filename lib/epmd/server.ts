/**
 * The port mapper: a small HTTP server that answers lookups (`/names`,
 * `/names/:name`, `/health`) and holds one WebSocket per registered node
 * (`/register`). `createEpmdApp` is the pure hono app; `startEpmd` serves it.
 *
 * @module
 */
import { Hono } from "hono";
import { type Logger, safeLogger, silentLogger } from "../core/log.ts";
import { isUpgrade } from "../core/websocket.ts";
import type { Runtime, Transport } from "../runtime/types.ts";
import { acceptRegistration } from "./accept.ts";
import { EpmdError } from "./errors.ts";
import { CLOSE_CODES, DEFAULT_EPMD_PORT, EPMD_SERVICE, type NameEntry } from "./protocol.ts";
import { Registry } from "./registry.ts";

/** What `/health` reports besides the count of names. */
export interface MapperInfo {
  pid: number;
  version: string;
  runtime: string;
}

/** The body of `GET /health`. */
export interface EpmdHealth extends MapperInfo {
  service: typeof EPMD_SERVICE;
  names: number;
}

/**
 * The mapper's HTTP routes over `registry`. `/register` answers 426 here:
 * registration needs the WebSocket upgrade that `startEpmd` wires.
 */
export function createEpmdApp(
  registry: Registry,
  info: MapperInfo = { pid: 0, version: "dev", runtime: "unknown" },
): Hono {
  const app = new Hono();

  app.get("/health", (c) => {
    const body: EpmdHealth = { service: EPMD_SERVICE, ...info, names: registry.size };
    return c.json(body);
  });
  app.get("/names", (c) => c.json({ names: registry.list() satisfies NameEntry[] }));
  app.get("/names/:name", (c) => {
    const name = c.req.param("name");
    const entry = registry.get(name);
    if (entry) return c.json(entry);
    return c.json(
      { error: "unknown", message: `no node named ${name} is registered here (GET /names lists them)` },
      404,
    );
  });
  app.all("/register", (c) =>
    c.json(
      { error: "upgrade_required", message: "/register takes a WebSocket upgrade: nodes register themselves" },
      426,
    ));
  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route ${c.req.path}: try /names, /names/NAME or /health` }, 404)
  );
  return app;
}

export interface EpmdOptions {
  /** Where to listen. Default "0.0.0.0": other hosts look names up here; only loopback peers register. */
  hostname?: string;
  /** Default 4370; 0 picks a free port (read it back from `.port`). */
  port?: number;
  /** Default: silent. */
  log?: Logger;
  /** Reported by `/health`. Default "dev". */
  version?: string;
}

/** A running port mapper. */
export interface EpmdServer {
  readonly hostname: string;
  readonly port: number;
  readonly registry: Registry;
  /** Ends every registration (close code 4010) and stops listening. Never rejects. */
  stop(): Promise<void>;
}

function addressInUse(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  return e?.code === "EADDRINUSE" || e?.name === "AddrInUse" || /in use/i.test(e?.message ?? "");
}

/**
 * Starts a port mapper. Rejects with EpmdError reason "in_use" when the
 * port is taken (most often by another mapper), and with the runtime's own
 * error for anything else that stops it from listening.
 */
export async function startEpmd(rt: Runtime, options: EpmdOptions = {}): Promise<EpmdServer> {
  const hostname = options.hostname ?? "0.0.0.0";
  const port = options.port ?? DEFAULT_EPMD_PORT;
  const log = options.log ? safeLogger(options.log) : silentLogger;
  const registry = new Registry();
  const live = new Set<Transport>();
  const app = createEpmdApp(registry, { pid: rt.pid, version: options.version ?? "dev", runtime: rt.name });

  let server;
  try {
    server = await rt.serve({
      hostname,
      port,
      fetch: (req) => app.fetch(req),
      upgrade(req, info) {
        const url = new URL(req.url);
        if (url.pathname !== "/register" || !isUpgrade(req)) return undefined;
        return acceptRegistration(url.searchParams, info.remoteAddress, { registry, log, live });
      },
    });
  } catch (err) {
    if (!addressInUse(err)) throw err;
    throw new EpmdError(
      "in_use",
      `port ${port} on ${hostname} is already in use, most likely by another port mapper: ` +
        "`meshrpc names` lists its names; pick another port with --epmd-port or MESHRPC_EPMD_PORT",
      { cause: err },
    );
  }
  log.info("epmd_listening", { hostname, port: server.port });

  let stopping: Promise<void> | undefined;
  return {
    hostname,
    port: server.port,
    registry,
    stop() {
      stopping ??= (async () => {
        for (const t of [...live]) t.close(CLOSE_CODES.stopping, "port mapper stopping");
        try {
          await server.stop();
        } catch {
          // Already stopped: nothing is left to release.
        }
        log.info("epmd_stopped", { port: server.port });
      })();
      return stopping;
    },
  };
}
