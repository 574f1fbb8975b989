/**
 * The wiring of a node: the start steps in order (runtime directory,
 * built-ins, modules, listen, links and calls, port mapper, control socket)
 * and the stop. `startNode` composes it with the facade (`node.ts`) and the
 * HTTP edge (`edges.ts`); nothing here is public.
 *
 * @module
 */
import { createControlApp } from "../control/server.ts";
import { deadline } from "../core/deadline.ts";
import { NodeEvents } from "../core/events.ts";
import { RecentEvents } from "../core/recent_events.ts";
import { Mesh } from "../distribution/mesh.ts";
import { Metrics } from "../http/metrics.ts";
import { type CallResult, ok, type Value } from "../result.ts";
import { type BuiltinHost, installBuiltins } from "../rpc/builtins.ts";
import { CallStats } from "../rpc/call_stats.ts";
import { Rpc } from "../rpc/caller.ts";
import { Modules } from "../rpc/modules.ts";
import type { ConnInfo, Server } from "../runtime/types.ts";
import { VERSION } from "../version.ts";
import { assertNotRunning, ensureRuntimeDir, serveControlSocket } from "./control_socket.ts";
import { type ControlledNode, controlTarget } from "./control_target.ts";
import { nodeActivity } from "./activity.ts";
import type { ErlangSide } from "./erlang.ts";
import { MapperRegistration } from "./mapper.ts";
import { loadModulesDir } from "./module_dir.ts";
import { loadSource } from "./module_source.ts";
import { dial, listen } from "./listen.ts";
import { DEFAULTS, type NodeOptions, type NodeParts } from "./options.ts";
import { logPath } from "./paths.ts";

/** What the wiring is handed from outside: the facade (`this.rpc`, the control plane) and the HTTP edge. */
export interface NodeFaces {
  api: ControlledNode;
  fetch(req: Request, info: ConnInfo): Response | Promise<Response>;
}

/** A node's running parts: built by `start`, driven by the facade and the edges. */
export class NodeCore {
  readonly parts: NodeParts;
  readonly name: string;
  readonly creation: string = crypto.randomUUID();
  readonly events: NodeEvents = new NodeEvents();
  readonly modules: Modules = new Modules();
  readonly metrics: Metrics = new Metrics();
  /** Per function figures of the calls served here, and the links' recent events (the dashboard's). */
  readonly callStats: CallStats = new CallStats();
  readonly journal: RecentEvents = new RecentEvents();
  readonly startedAt: number = Date.now();
  /** Resolves once the node has stopped. */
  readonly stopped: Promise<void>;
  #mesh?: Mesh;
  #rpc?: Rpc;
  #server?: Server;
  #control?: { path: string; server: Server };
  #mapper?: MapperRegistration;
  #erlang?: ErlangSide;
  #stopping?: Promise<void>;
  #resolveStopped!: () => void;

  constructor(parts: NodeParts) {
    this.parts = parts;
    this.name = parts.address.full;
    this.stopped = new Promise((r) => (this.#resolveStopped = r));
  }

  /** The links; set once `start` has listened (before the node is handed out). */
  get mesh(): Mesh {
    return this.#mesh!;
  }

  /** Calls made and served; set with the mesh. */
  get rpc(): Rpc {
    return this.#rpc!;
  }

  get port(): number {
    return this.#server?.port ?? 0;
  }

  get socket(): string | undefined {
    return this.#control?.path;
  }

  /** Visible connected nodes: meshrpc and Erlang ones. */
  nodes(): string[] {
    return this.rpc.nodes();
  }

  /** Connects to `node`: over Erlang's protocol when it is an Erlang node, else the mesh. */
  async connect(node: string): Promise<CallResult> {
    const erl = this.#erlang?.peers;
    const r = erl && !this.mesh.link(node) && await erl.claims(node) ? await erl.connect(node) : await this.mesh.connect(node);
    return r.kind === "ok" ? ok(true) : r;
  }

  /** Closes the link to `node` (meshrpc or Erlang); false when there was none. */
  disconnect(node: string): boolean {
    return this.mesh.disconnect(node) || (this.#erlang?.peers.disconnect(node) ?? false);
  }

  /** Hidden connected nodes: meshrpc and Erlang ones. */
  hiddenNodes(): string[] {
    return [...this.mesh.hiddenNodes(), ...(this.#erlang?.peers.hiddenNodes() ?? [])];
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /**
   * The steps of `startNode`, in order; on failure what was started is
   * stopped. Throws NodeStartError (see `startNode` for the reasons).
   */
  async start(o: NodeOptions, faces: NodeFaces): Promise<void> {
    const p = this.parts;
    await ensureRuntimeDir(p.rt, p.runtimeDir);
    if (o.control !== false) await assertNotRunning(p.rt, p.runtimeDir, this.name);
    installBuiltins(this.modules, this.builtinHost());
    this.modules.addBuiltin("code", {
      load: (file: string, source: string) => this.#loadSource(file, source),
      modules: () => this.modules.names(),
    });
    if (o.modulesDir) await loadModulesDir(p.rt, this.modules, o.modulesDir, p.log);
    try {
      // Erlang callers time out on their side (a DEMONITOR then aborts the call): no deadline here.
      // The Erlang side's modules load only for --erlang.
      if (o.erlang) {
        const { startErlangSide } = await import("./erlang.ts");
        this.#erlang = await startErlangSide(p, o, this.events, async (req) => await this.rpc.serve({ ...req, timeoutMs: Infinity }));
      }
      await this.#listen(o, faces);
      if (o.epmd !== false) {
        this.#mapper = await MapperRegistration.register(p.rt, {
          epmdPort: p.epmdPort,
          name: p.address.name,
          port: this.port,
          logFile: logPath(p.runtimeDir, "epmd"),
          log: p.log,
        });
      }
      if (o.control !== false) {
        const app = createControlApp(controlTarget(faces.api));
        this.#control = await serveControlSocket(p.rt, p.runtimeDir, this.name, (req) => app.fetch(req));
      }
    } catch (err) {
      await this.#teardown();
      throw err;
    }
    p.log.info("start", {
      node: this.name,
      port: this.port,
      listen: p.listen,
      socket: this.socket,
      runtime: `${p.rt.name} ${p.rt.version}`,
      pid: p.rt.pid,
      hidden: p.hidden || undefined,
    });
    for (const n of o.join ?? []) this.mesh.keepConnected(n);
  }

  /** Takes the node's port (listen.ts), then builds the links and the calls on it. */
  async #listen(o: NodeOptions, faces: NodeFaces): Promise<void> {
    const p = this.parts;
    this.#server = await listen(p, o, faces.fetch, (t) => this.mesh.accept(t));
    this.#mesh = new Mesh({
      self: { name: this.name, port: this.port, hidden: p.hidden, creation: this.creation },
      cookie: p.cookie,
      ticktimeMs: (o.ticktimeSeconds ?? DEFAULTS.ticktimeSeconds) * 1000,
      setupTimeoutMs: DEFAULTS.setupTimeoutMs,
      dial: (node) => dial(p, node),
      handler: {
        call: (req) => this.rpc.serve(req),
        cast: (req) => this.rpc.serveCast(req),
      },
      events: this.events,
      log: p.log,
      // A call's arguments sit three levels down in a frame: links accept what HTTP accepts.
      limits: { ...p.limits, maxDepth: p.limits.maxDepth + 3 },
      onRefused: (r) => {
        this.metrics.refusedHandshake();
        this.journal.add({ time: Date.now(), type: "refused", node: r.node, detail: `${r.side}: ${r.reason}: ${r.message}` });
      },
    });
    this.events.on("nodeup", () => this.metrics.nodeup());
    this.events.on("nodedown", () => this.metrics.nodedown());
    this.events.on("*", (e) =>
      this.journal.add({ time: e.time, type: e.type, node: e.node, detail: e.type === "nodedown" ? e.reason : e.hidden ? "hidden" : "" })
    );
    this.#rpc = new Rpc({
      self: this.name,
      api: faces.api,
      modules: this.modules,
      mesh: this.#mesh,
      other: this.#erlang?.peers,
      count: (dir, kind) => {
        // The first call ends the executable's start-up JIT policy (the Makefile's JIT_POLICY).
        this.parts.rt.startupDone();
        this.metrics.call(dir, kind);
      },
      stats: this.callStats,
    });
  }

  /** What the built-in modules (and `info()`) know of this node. */
  builtinHost(): BuiltinHost {
    return {
      runtime: this.parts.rt,
      version: VERSION,
      startedAt: this.startedAt,
      nodes: () => this.nodes(),
      ping: (n) => this.rpc.ping(n),
      activity: () => nodeActivity(this.mesh, this.callStats, this.journal),
    };
  }

  /** `code.load`: a module's source, sent by `meshrpc load`, becomes a module here. */
  async #loadSource(file: string, source: string): Promise<Value> {
    const loaded = await loadSource(this.parts.rt, this.modules, `${this.parts.runtimeDir}/modules/${this.name}`, file, source);
    this.parts.log.info("module_loaded", { module: loaded.module, file });
    return loaded;
  }

  /**
   * Stops accepting, lets calls in flight finish (up to the shutdown
   * timeout), says bye to peers, unregisters from the port mapper, removes
   * the control socket, ends event iterators. Never rejects; a second call
   * waits for the first.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const p = this.parts;
      p.log.info("stopping", { node: this.name, in_flight: this.#rpc?.inFlight ?? 0 });
      this.#server?.drain();
      // Past the shutdown timeout the node stops anyway: calls still waiting on a link end noconnection.
      if (this.#rpc) await deadline(this.#rpc.idle(), p.shutdownTimeoutMs).catch(() => {});
      await this.#teardown();
      this.events.close();
      p.log.info("stopped", { node: this.name });
      this.#resolveStopped();
    })();
    return this.#stopping;
  }

  async #teardown(): Promise<void> {
    this.#mesh?.close("shutdown");
    await this.#erlang?.stop("shutdown");
    await this.#mapper?.close();
    if (this.#control) {
      await this.#control.server.stop();
      await this.parts.rt.remove(this.#control.path);
    }
    await this.#server?.stop();
  }
}
