/**
 * A node's Erlang side (`--erlang`): listen for Erlang dialers, make sure an
 * epmd answers on the host (`ERL_EPMD_PORT`, else 4369: a running one, one
 * started with `epmd -daemon`, or the embedded one), register the node's
 * name with it (the creation it gives goes into every pid and reference),
 * and hand calls to and from Erlang nodes to the node's call path.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { NodeEvents } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { dialHost } from "../core/name.ts";
import { systemClock } from "../distribution/clock.ts";
import { lookupPort } from "../epmd/client.ts";
import { lookupNode } from "../erlang/epmd.ts";
import { type HeldRegistration, holdRegistration } from "../erlang/epmd_hold.ts";
import { ensureEpmd, type EpmdSource } from "../erlang/epmd_ensure.ts";
import type { ErlIncomingCall } from "../erlang/inbound.ts";
import { ErlangPeers } from "../erlang/peers.ts";
import type { CallResult } from "../result.ts";
import type { Runtime } from "../runtime/types.ts";
import type { TcpServer } from "../runtime/tcp_types.ts";
import { DEFAULTS, type NodeOptions, type NodeParts, NodeStartError } from "./options.ts";
import { logPath } from "./paths.ts";

interface ErlangSideOptions {
  rt: Runtime;
  /** This node's full name, byte-exact as Erlang nodes will dial it. */
  name: string;
  cookie: string;
  hidden: boolean;
  listen: string;
  /** The TCP port for Erlang dialers; 0 picks a free one. */
  port: number;
  /** Erlang's epmd (`ERL_EPMD_PORT`, else 4369). */
  erlEpmdPort: number;
  /** meshrpc's own port mapper: a name registered there is a meshrpc node, whatever epmd says. */
  meshEpmdPort: number;
  ticktimeMs: number;
  setupTimeoutMs: number;
  limits: Limits;
  log: Logger;
  events: NodeEvents;
  epmdLogFile: string;
  call(req: ErlIncomingCall): Promise<CallResult>;
}

function sideOptions(p: NodeParts, o: NodeOptions, events: NodeEvents, call: ErlangSideOptions["call"]): ErlangSideOptions {
  return {
    rt: p.rt,
    name: p.address.full,
    cookie: p.cookie,
    hidden: p.hidden,
    listen: p.listen,
    port: o.erlangPort ?? 0,
    erlEpmdPort: p.erlEpmdPort,
    meshEpmdPort: p.epmdPort,
    ticktimeMs: (o.ticktimeSeconds ?? DEFAULTS.ticktimeSeconds) * 1000,
    setupTimeoutMs: DEFAULTS.setupTimeoutMs,
    limits: p.limits,
    log: p.log,
    events,
    epmdLogFile: logPath(p.runtimeDir, "erl_epmd"),
    call,
  };
}

const LOOKUP_TIMEOUT_MS = 1000;

/** The running Erlang side of a node; `stop` undoes `startErlangSide`. */
export class ErlangSide {
  readonly peers: ErlangPeers;
  readonly port: number;
  #server: TcpServer;
  #registration: HeldRegistration;
  #epmd: EpmdSource;

  constructor(peers: ErlangPeers, server: TcpServer, registration: HeldRegistration, epmd: EpmdSource) {
    this.peers = peers;
    this.port = server.port;
    this.#server = server;
    this.#registration = registration;
    this.#epmd = epmd;
  }

  async stop(reason: string): Promise<void> {
    this.peers.close(reason);
    this.#registration.close();
    await this.#server.close();
    if (this.#epmd.kind === "embedded") await this.#epmd.server.close();
  }
}

/**
 * Starts the Erlang side. Throws NodeStartError: `listen_failed` when the
 * port cannot be listened on, `epmd_unavailable` when no epmd answers or
 * can be started, `name_taken` when epmd keeps refusing the name.
 */
export async function startErlangSide(
  parts: NodeParts,
  options: NodeOptions,
  events: NodeEvents,
  call: (req: ErlIncomingCall) => Promise<CallResult>,
): Promise<ErlangSide> {
  const o = sideOptions(parts, options, events, call);
  // Nobody knows the port before the registration, but a stray dialer may still come: it is closed.
  const ready: { peers?: ErlangPeers } = {};
  let server: TcpServer;
  try {
    server = await o.rt.listenTcp({ hostname: o.listen, port: o.port }, (s) => (ready.peers ? ready.peers.accept(s) : s.close()));
  } catch (err) {
    throw new NodeStartError("listen_failed", `Cannot listen for Erlang nodes: ${(err as Error).message}; pick a free --erlang-port`, { cause: err });
  }
  const [alive, host] = o.name.split("@");
  let epmd: EpmdSource | undefined;
  let registration: HeldRegistration;
  try {
    epmd = await ensureEpmd(o.rt, o.erlEpmdPort, { logFile: o.epmdLogFile });
    // Held: after an epmd restart the name is registered again, the first creation kept.
    registration = await holdRegistration(o.rt, { host: "127.0.0.1", port: o.erlEpmdPort }, {
      name: alive,
      port: server.port,
      hidden: o.hidden,
      onChange: (e) =>
        e.kind === "lost"
          ? o.log.warn("erlang_epmd_lost", { port: o.erlEpmdPort, hint: "registering again; Erlang nodes cannot find this node meanwhile" })
          : e.kind === "restored"
          ? o.log.info("erlang_epmd_registered", { port: o.erlEpmdPort })
          : undefined,
    });
  } catch (err) {
    await server.close();
    if (epmd?.kind === "embedded") await epmd.server.close();
    const message = (err as Error).message;
    const taken = /taken|already/i.test(message);
    throw new NodeStartError(
      taken ? "name_taken" : "epmd_unavailable",
      taken
        ? `epmd on port ${o.erlEpmdPort} already has a node named ${alive}: stop it or pick another name`
        : `Cannot register with Erlang's epmd on port ${o.erlEpmdPort}: ${message}; check ERL_EPMD_PORT or install epmd (erlang-base)`,
      { cause: err },
    );
  }
  const peers = ready.peers = new ErlangPeers({
    self: { name: o.name, creation: registration.creation, hidden: o.hidden },
    cookie: o.cookie,
    ticktimeMs: o.ticktimeMs,
    setupTimeoutMs: o.setupTimeoutMs,
    clock: systemClock,
    limits: o.limits,
    log: o.log,
    events: o.events,
    call: o.call,
    lookup: async (node) => (await lookupNode(o.rt, erlEpmdOf(node, o), node.split("@")[0], { timeoutMs: LOOKUP_TIMEOUT_MS }))?.port,
    connect: (node, port) => o.rt.connectTcp(dialHost(node.split("@")[1]), port, { timeoutMs: o.setupTimeoutMs }),
    isErlang: (node) => isErlangNode(o, node),
  });
  o.log.info("erlang_start", { node: o.name, port: server.port, epmd: o.erlEpmdPort, epmd_source: epmd.kind, creation: registration.creation, host });
  return new ErlangSide(peers, server, registration, epmd);
}

function erlEpmdOf(node: string, o: ErlangSideOptions) {
  return { host: dialHost(node.split("@")[1]), port: o.erlEpmdPort };
}

/** Registered with its host's epmd, and not with meshrpc's port mapper (a meshrpc node with `--erlang` is in both). */
async function isErlangNode(o: ErlangSideOptions, node: string): Promise<boolean> {
  if (!/^[^@:]+@[^@:]+$/.test(node)) return false;
  const [alive, host] = node.split("@");
  try {
    if (!(await lookupNode(o.rt, erlEpmdOf(node, o), alive, { timeoutMs: LOOKUP_TIMEOUT_MS }))) return false;
  } catch {
    return false;
  }
  try {
    await lookupPort({ host: dialHost(host), epmdPort: o.meshEpmdPort, name: alive, timeoutMs: LOOKUP_TIMEOUT_MS });
    return false;
  } catch {
    return true;
  }
}
