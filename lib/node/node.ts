/**
 * The composition root: a running node, with its HTTP port, links, port
 * mapper registration and control socket. `startNode` wires the parts;
 * `MeshNode` is what the library hands to applications and what the daemon
 * and the control plane drive.
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { NodeStatus } from "../control/protocol.ts";
import { createControlApp } from "../control/server.ts";
import { Mesh } from "../distribution/mesh.ts";
import { lookupPort } from "../epmd/client.ts";
import { createHttpApp } from "../http/app.ts";
import { Metrics } from "../http/metrics.ts";
import { type CallResult, noconnection, ok, RpcError, type Value } from "../result.ts";
import { type BuiltinHost, installBuiltins, systemInfo } from "../rpc/builtins.ts";
import { type CallOptions, DEFAULT_TIMEOUT_MS, Rpc } from "../rpc/caller.ts";
import type { ModuleFunctions, NodeApi } from "../rpc/context.ts";
import { Modules } from "../rpc/modules.ts";
import type { CallRequest } from "../rpc/request.ts";
import type { Runtime, Server } from "../runtime/types.ts";
import { VERSION } from "../version.ts";
import { assertNotRunning, ensureRuntimeDir, serveControlSocket } from "./control_socket.ts";
import { controlTarget } from "./control_target.ts";
import { type NodeEvent, NodeEvents, type NodeEventType } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { MapperRegistration } from "./mapper.ts";
import { loadSource } from "./module_source.ts";
import { dialHost, type NodeAddress, parseNodeName } from "../core/name.ts";
import { DEFAULTS, type NodeOptions, NodeStartError } from "./options.ts";
import { logPath } from "./paths.ts";

export { type NodeOptions, NodeStartError };

/** What `startNode` settles before the node starts. */
export interface NodeParts {
  rt: Runtime;
  address: NodeAddress;
  cookie: string;
  hidden: boolean;
  listen: string;
  epmdPort: number;
  runtimeDir: string;
  limits: Limits;
  log: Logger;
  shutdownTimeoutMs: number;
  scheme: "ws" | "wss";
}

/** A running node. Obtained from `startNode`. */
export class MeshNode implements NodeApi {
  readonly name: string;
  readonly creation: string;
  #p: NodeParts;
  #events = new NodeEvents();
  #modules = new Modules();
  #metrics = new Metrics();
  #startedAt = Date.now();
  #mesh!: Mesh;
  #rpc!: Rpc;
  #server?: Server;
  #control?: { path: string; server: Server };
  #mapper?: MapperRegistration;
  #stopping?: Promise<void>;
  #resolveStopped!: () => void;
  /** Resolves once the node has stopped (by `stop()`, a signal, or `meshrpc stop`). */
  readonly stopped: Promise<void>;

  /** @internal Use `startNode`. */
  constructor(parts: NodeParts) {
    this.#p = parts;
    this.name = parts.address.full;
    this.creation = crypto.randomUUID();
    this.stopped = new Promise((r) => (this.#resolveStopped = r));
  }

  /** The TCP port for links and HTTP. */
  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** The control socket's path, when the node serves one. */
  get socket(): string | undefined {
    return this.#control?.path;
  }

  // ---- starting ----

  /** @internal The steps of `startNode`, in order; on failure what was started is stopped. */
  async start(o: NodeOptions): Promise<void> {
    const p = this.#p;
    await ensureRuntimeDir(p.rt, p.runtimeDir);
    if (o.control !== false) await assertNotRunning(p.rt, p.runtimeDir, this.name);
    installBuiltins(this.#modules, this.#builtinHost());
    this.#modules.addBuiltin("code", {
      load: (file: string, source: string) => this.#loadSource(file, source),
      modules: () => this.#modules.names(),
    });
    if (o.modulesDir) await this.#loadDir(o.modulesDir);
    try {
      await this.#listen(o);
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
        const app = createControlApp(controlTarget(this));
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
    for (const n of o.join ?? []) this.#mesh.keepConnected(n);
  }

  async #loadDir(dir: string): Promise<void> {
    const rt = this.#p.rt;
    let files: string[];
    try {
      files = (await rt.readDir(dir)).filter((f) => /\.(ts|js|mjs|mts)$/.test(f) && !f.endsWith(".d.ts")).sort();
    } catch (err) {
      throw new NodeStartError(`Cannot read the modules directory ${dir}: ${(err as Error).message}`, 2);
    }
    for (const f of files) {
      try {
        const name = await this.#modules.loadFile(await rt.realPath(`${dir}/${f}`));
        this.#p.log.info("module_loaded", { module: name, file: `${dir}/${f}` });
      } catch (err) {
        throw new NodeStartError(`${(err as Error).message}; fix or remove the file in ${dir}`, 1, { cause: err });
      }
    }
  }

  async #listen(o: NodeOptions): Promise<void> {
    const p = this.#p;
    const tls = o.tls && {
      cert: await this.#readPem(o.tls.certFile, "--tls-cert"),
      key: await this.#readPem(o.tls.keyFile, "--tls-key"),
    };
    const http = createHttpApp({
      cookie: p.cookie,
      limits: p.limits,
      call: (req) => this.#serveHttp(req),
      health: () => ({ status: this.#stopping ? "stopping" : "ok", node: this.name, nodes: this.nodes().length }),
      metrics: () => this.#renderMetrics(),
    });
    const port = o.port ?? DEFAULTS.port;
    try {
      this.#server = await p.rt.serve({
        hostname: p.listen,
        port,
        tls,
        fetch: (req) => http.fetch(req),
        upgrade: (req) => (new URL(req.url).pathname === "/dist" ? (t) => this.#mesh.accept(t) : undefined),
      });
    } catch (err) {
      const message = (err as Error).message;
      const hint = /PEM|certificate|private key/i.test(message)
        ? "--tls-cert and --tls-key must be a PEM certificate and its private key"
        : "check that --listen is an address of this host and --port is free (0 picks a free one)";
      throw new NodeStartError(`Cannot listen on ${p.listen}:${port}: ${message}; ${hint}`, 1, { cause: err });
    }
    this.#mesh = new Mesh({
      self: { name: this.name, port: this.port, hidden: p.hidden, creation: this.creation },
      cookie: p.cookie,
      ticktimeMs: (o.ticktimeSeconds ?? DEFAULTS.ticktimeSeconds) * 1000,
      setupTimeoutMs: DEFAULTS.setupTimeoutMs,
      dial: (node) => this.#dial(node),
      handler: {
        call: (req) => this.#rpc.serve(req),
        cast: (req) => this.#rpc.serveCast(req),
      },
      events: this.#events,
      log: p.log,
      // A call's arguments sit three levels down in a frame: links accept what HTTP accepts.
      limits: { ...p.limits, maxDepth: p.limits.maxDepth + 3 },
      onRefused: () => this.#metrics.refusedHandshake(),
    });
    this.#events.on("nodeup", () => this.#metrics.nodeup());
    this.#events.on("nodedown", () => this.#metrics.nodedown());
    this.#rpc = new Rpc({
      self: this.name,
      api: this,
      modules: this.#modules,
      mesh: this.#mesh,
      count: (dir, kind) => this.#metrics.call(dir, kind),
    });
  }

  async #readPem(file: string, flag: string): Promise<string> {
    try {
      return await this.#p.rt.readTextFile(file);
    } catch (err) {
      throw new NodeStartError(`Cannot read ${flag} ${file}: ${(err as Error).message}; give a readable PEM file`, 2);
    }
  }

  /** Finds a node's port (its name, or the port mapper on its host) and opens a link connection. */
  async #dial(node: string) {
    const p = this.#p;
    const addr = parseNodeName(node);
    const port = addr.port ??
      await lookupPort({ host: dialHost(addr.host), epmdPort: p.epmdPort, name: addr.name });
    const host = dialHost(addr.host);
    const url = `${p.scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/dist`;
    return await p.rt.dial(url, { timeoutMs: DEFAULTS.setupTimeoutMs });
  }

  // ---- the library API ----

  /**
   * Makes `fns` callable as module `name` on this node (replacing a module
   * of that name). Throws ModuleError for a built-in or invalid name.
   */
  register(name: string, fns: ModuleFunctions | Record<string, unknown>): void {
    this.#modules.register(name, fns);
  }

  /** Loads a `.ts`/`.js` file as a module on this node. Throws ModuleError when it cannot. */
  async load(file: string): Promise<string> {
    return await this.#modules.loadFile(await this.#p.rt.realPath(file));
  }

  /**
   * Calls `module.fn(...args)` on `node` (this one included) and resolves
   * with every outcome as a CallResult, as `erpc:call` distinguishes them.
   */
  callResult(node: string, module: string, fn: string, args: Value[] = [], options?: CallOptions) {
    return this.#rpc.call(node, module, fn, args, options);
  }

  /**
   * Calls `module.fn(...args)` on `node` and resolves with its value.
   * Rejects with one `RpcError` whose `result.kind` says what happened:
   * exception, undef, noconnection, timeout, badarg.
   */
  async call<T = Value>(node: string, module: string, fn: string, args: Value[] = [], options?: CallOptions) {
    const r = await this.#rpc.call(node, module, fn, args, options);
    if (r.kind !== "ok") throw new RpcError(r);
    return r.value as T;
  }

  /** Runs `module.fn(...args)` on `node` without waiting. Rejects with RpcError when it cannot be sent. */
  async cast(node: string, module: string, fn: string, args: Value[] = []): Promise<void> {
    const r = await this.#rpc.cast(node, module, fn, args);
    if (r.kind !== "ok") throw new RpcError(r);
  }

  /** One result per node, in the order given; default: this node and every visible one. */
  multicall(nodes: string[] | undefined, module: string, fn: string, args: Value[] = [], options?: CallOptions) {
    return this.#rpc.multicall(nodes, module, fn, args, options);
  }

  /** `pong` when `node` is or can be connected, else `pang`. */
  ping(node: string): Promise<"pong" | "pang"> {
    return this.#rpc.ping(node);
  }

  /** Connects to `node`; resolves ok(true) or noconnection with the reason. */
  async connect(node: string): Promise<CallResult> {
    const r = await this.#mesh.connect(node);
    return r.kind === "ok" ? ok(true) : r;
  }

  /** Closes the link to `node`; false when there was none. */
  disconnect(node: string): boolean {
    return this.#mesh.disconnect(node);
  }

  /** Visible connected nodes, as Erlang's `nodes()`. */
  nodes(): string[] {
    return this.#mesh.nodes();
  }

  /** Connected hidden nodes, as `nodes(hidden)`. */
  hiddenNodes(): string[] {
    return this.#mesh.hiddenNodes();
  }

  /** Subscribes to `nodeup`/`nodedown` (or "*"); returns the unsubscribe function. */
  on<T extends NodeEventType | "*">(
    type: T,
    listener: (e: T extends NodeEventType ? Extract<NodeEvent, { type: T }> : NodeEvent) => void,
  ): () => void {
    return this.#events.on(type, listener);
  }

  /** What `system info` answers for this node. */
  info(): Record<string, Value> {
    return systemInfo(this.#builtinHost(), this.name);
  }

  #builtinHost(): BuiltinHost {
    return {
      runtime: this.#p.rt,
      version: VERSION,
      startedAt: this.#startedAt,
      nodes: () => this.nodes(),
      ping: (n) => this.ping(n),
    };
  }

  status(): NodeStatus {
    const p = this.#p;
    return {
      node: this.name,
      pid: p.rt.pid,
      port: this.port,
      listen: p.listen,
      socket: this.socket,
      runtime: p.rt.name,
      runtimeVersion: p.rt.version,
      version: VERSION,
      uptimeSeconds: (Date.now() - this.#startedAt) / 1000,
      hidden: p.hidden,
      epmdPort: p.epmdPort,
      nodes: this.nodes(),
      hiddenNodes: this.hiddenNodes(),
      modules: this.#modules.names(),
    };
  }

  /**
   * Stops cleanly: stops accepting, lets calls in flight finish (up to the
   * shutdown timeout), says bye to peers, unregisters from the port mapper,
   * removes the control socket. Never rejects; a second call waits for the first.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const p = this.#p;
      p.log.info("stopping", { node: this.name, in_flight: this.#rpc?.inFlight ?? 0 });
      this.#server?.drain();
      if (this.#rpc) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          this.#rpc.idle(),
          new Promise((r) => (timer = setTimeout(r, p.shutdownTimeoutMs))),
        ]);
        clearTimeout(timer);
      }
      await this.#teardown();
      p.log.info("stopped", { node: this.name });
      this.#resolveStopped();
    })();
    return this.#stopping;
  }

  async #teardown(): Promise<void> {
    this.#mesh?.close("shutdown");
    await this.#mapper?.close();
    if (this.#control) {
      await this.#control.server.stop();
      await this.#p.rt.remove(this.#control.path);
    }
    await this.#server?.stop();
  }

  // ---- edges ----

  async #serveHttp(req: CallRequest): Promise<CallResult> {
    if (this.#stopping) return noconnection(this.name, "the node is shutting down");
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (req.node === undefined || req.node === this.name) {
      return await this.#rpc.serve({ caller: this.name, module: req.module, function: req.function, args: req.args, timeoutMs });
    }
    return await this.#rpc.call(req.node, req.module, req.function, req.args, { timeoutMs });
  }

  #renderMetrics(): string {
    const mem = this.#p.rt.memory();
    return this.#metrics.render(this.name, {
      connectedNodes: this.nodes().length + this.hiddenNodes().length,
      uptimeSeconds: (Date.now() - this.#startedAt) / 1000,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      pendingCalls: this.#mesh?.pendingCalls() ?? 0,
    });
  }

  /** `code.load`: a module's source, sent by `meshrpc load`, becomes a module here. */
  async #loadSource(file: string, source: string): Promise<Value> {
    const loaded = await loadSource(this.#p.rt, this.#modules, `${this.#p.runtimeDir}/modules/${this.name}`, file, source);
    this.#p.log.info("module_loaded", { module: loaded.module, file });
    return loaded;
  }
}
