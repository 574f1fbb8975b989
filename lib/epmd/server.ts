/**
 * The port mapper: a small HTTP server that answers lookups (`/names`,
 * `/names/:name`, `/health`) and holds one WebSocket per registered node
 * (`/register`). `createEpmdApp` is the pure hono app; `startEpmd` serves it.
 *
 * @module
 */
import { Hono } from "hono";
import { type Logger, safeLogger, silentLogger } from "../core/log.ts";
import { LogLimit } from "../core/log_limit.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import { isUpgrade } from "../core/websocket.ts";
import type { ConnInfo, Runtime, Transport } from "../runtime/types.ts";
import { acceptRegistration, type AcceptContext, logRefusal } from "./accept.ts";
import { Admission, type AdmissionLimits } from "../core/admission.ts";

/** Registration sockets waiting for their `register` message at once: 32 in all, 8 from one source. */
const DEFAULT_PENDING: AdmissionLimits = { maxTotal: 32, maxPerSource: 8 };
import { EpmdError } from "./errors.ts";
import {
  CLOSE_CODES,
  DEFAULT_EPMD_PORT,
  EPMD_SERVICE,
  isLoopback,
  MAX_MESSAGE_BYTES,
  type NameEntry,
} from "./protocol.ts";
import { Registry } from "./registry.ts";
import { readState, StateWriter, stateFileProblem } from "./state.ts";

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
      {
        error: "unknown",
        message: `no node named ${clipUntrusted(name, 80)} is registered here (GET /names lists them)`,
      },
      404,
    );
  });
  app.all("/register", (c) =>
    c.json(
      { error: "upgrade_required", message: "/register takes a WebSocket upgrade: nodes register themselves" },
      426,
    ));
  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route ${clipUntrusted(c.req.path, 80)}: try /names, /names/NAME or /health` }, 404)
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
  /**
   * Where the mapper keeps the names it holds and their tokens (mode 0600),
   * so that after a restart it keeps them for their nodes for `reserveMs`.
   * Default: nowhere (a restarted mapper remembers nothing).
   */
  stateFile?: string;
  /** How long a restarted mapper keeps its previous names for their nodes. Default 10000 ms. */
  reserveMs?: number;
  /** Registration sockets that may wait for their `register` message at once. */
  pending?: AdmissionLimits;
  /** Seconds before an idle HTTP connection is closed (Bun only). Default 10. */
  idleTimeoutSeconds?: number;
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

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * Whether a `/register` upgrade may open a socket at all: only from this
 * host, and while few sockets wait. Refused here, before the upgrade, a
 * stranger gets a small HTTP answer and no WebSocket to fill.
 */
function admitUpgrade(info: ConnInfo, pending: Admission, ctx: AcceptContext): (() => void) | Response {
  const remote = info.remoteAddress;
  if (!isLoopback(remote)) {
    const message = `only nodes on this host may register, and ${remote || "the peer"} is not a loopback address: ` +
      "run a port mapper on the node's own host, or name the node as name@host:port to skip the mapper";
    logRefusal(ctx, remote, { reason: message });
    return json(403, { error: "not_loopback", message });
  }
  const place = pending.enter(remote);
  if (typeof place === "function") return place;
  const reason = place.limit === "total"
    ? `${place.max} registrations are already in progress`
    : `${place.max} registrations from ${remote} are already in progress`;
  logRefusal(ctx, remote, { reason });
  return json(503, { error: "busy", message: `${reason}: try again in a moment` });
}

/**
 * Reads the state file and reserves its names for the holders that still
 * run (after a reboot, or for a node that died meanwhile, there is no one to
 * wait for); logs and goes on without it when it cannot.
 */
async function restore(rt: Runtime, options: EpmdOptions, registry: Registry, log: Logger): Promise<boolean> {
  const path = options.stateFile;
  if (!path) return false;
  const problem = await stateFileProblem(rt, path);
  if (problem) {
    log.warn("epmd_state_ignored", { file: path, reason: problem });
    return false;
  }
  try {
    const held = (await readState(rt, path)).filter((h) => h.pid === undefined || rt.processExists(h.pid));
    const until = Date.now() + (options.reserveMs ?? 10_000);
    for (const h of held) registry.reserve(h, until);
    if (held.length > 0) log.info("epmd_reserved", { names: held.length, for_ms: options.reserveMs ?? 10_000 });
  } catch (err) {
    log.warn("epmd_state_unreadable", { file: path, reason: clipUntrusted((err as Error).message) });
  }
  return true;
}

/**
 * Starts a port mapper. Rejects with EpmdError reason "in_use" when the
 * port is taken (most often by another mapper), and with the runtime's own
 * error for anything else that stops it from listening. A state file that
 * cannot be used is logged and left alone, never fatal.
 */
export async function startEpmd(rt: Runtime, options: EpmdOptions = {}): Promise<EpmdServer> {
  const hostname = options.hostname ?? "0.0.0.0";
  const port = options.port ?? DEFAULT_EPMD_PORT;
  const log = options.log ? safeLogger(options.log) : silentLogger;
  const registry = new Registry();
  const live = new Set<Transport>();
  const app = createEpmdApp(registry, { pid: rt.pid, version: options.version ?? "dev", runtime: rt.name });
  const writer = (await restore(rt, options, registry, log))
    ? new StateWriter(rt, options.stateFile!, (err) =>
      log.warn("epmd_state_unwritable", { file: options.stateFile, reason: clipUntrusted((err as Error).message) }))
    : undefined;
  let persisting = true;
  const ctx: AcceptContext = {
    registry,
    log,
    live,
    refusals: new LogLimit(),
    allRefusals: new LogLimit({ burst: 20, perSecond: 5 }),
    changed: () => {
      if (persisting) writer?.save(() => registry.holdings());
    },
  };
  const pending = new Admission(options.pending ?? DEFAULT_PENDING);
  const refusedUpgrades = new WeakMap<Request, Response>();

  let server;
  try {
    server = await rt.serve({
      hostname,
      port,
      // A registration message is a small JSON object; lookups are short requests.
      maxMessageBytes: MAX_MESSAGE_BYTES,
      idleTimeoutSeconds: options.idleTimeoutSeconds ?? 10,
      fetch: (req) => refusedUpgrades.get(req) ?? app.fetch(req),
      upgrade(req, info) {
        const url = new URL(req.url);
        if (url.pathname !== "/register" || !isUpgrade(req)) return undefined;
        const place = admitUpgrade(info, pending, ctx);
        if (place instanceof Response) {
          refusedUpgrades.set(req, place);
          return undefined;
        }
        return acceptRegistration(url.searchParams, info.remoteAddress, ctx, place);
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
        // The state file keeps the names: a mapper started again keeps them for their nodes.
        persisting = false;
        await writer?.flush();
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
