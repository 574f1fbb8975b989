/**
 * A node's faces to the outside besides the library: the HTTP app
 * (`POST /rpc`, `/health`, `/metrics`), the dashboard beside it
 * (`/dashboard`) and the status the control plane reports.
 *
 * @module
 */
import type { NodeStatus } from "../control/protocol.ts";
import { createHttpApp } from "../http/app.ts";
import { type CallResult, DEFAULT_CALL_TIMEOUT_MS, noconnection } from "../result.ts";
import type { CallRequest } from "../rpc/request.ts";
import type { ConnInfo } from "../runtime/types.ts";
import { VERSION } from "../version.ts";
import type { NodeCore } from "./wiring.ts";

/** The node's HTTP handler (the links' `/dist` upgrade is the server's, see the wiring). */
export function httpEdge(core: NodeCore, maxRequests?: number): (req: Request, info: ConnInfo) => Response | Promise<Response> {
  const app = createHttpApp({
    cookie: core.parts.cookie,
    limits: core.parts.limits,
    call: (req) => serveHttpCall(core, req),
    health: () => ({ status: core.stopping ? "stopping" : "ok", node: core.name, nodes: core.nodes().length }),
    metrics: () => renderMetrics(core),
    maxRequests,
    log: core.parts.log,
  });
  const dashboard = dashboardEdge(core);
  return (req, info) => (isDashboard(req.url) ? dashboard(req) : app.fetch(req, info));
}

/** The path starts with `/dashboard` (without parsing the whole URL on the way to /rpc). */
function isDashboard(url: string): boolean {
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path >= 0 && url.startsWith("/dashboard", path) && /^(?:[/?#]|$)/.test(url.slice(path + 10, path + 11));
}

function dashboardEdge(core: NodeCore): (req: Request) => Response | Promise<Response> {
  // Live pages wake on every nodeup and nodedown, and once the node has stopped (so that
  // their streams end, and their timers do not keep the process alive).
  const listeners = new Set<() => void>();
  const wake = () => {
    for (const l of [...listeners]) l();
  };
  core.events.on("*", wake);
  void core.stopped.then(wake);
  // The dashboard's modules load with its first request: a node nobody looks at does not
  // keep them in memory (with lazy Erlang interop, about 0.6 MiB of an idle node's RSS).
  const create = async () => (await import("../dashboard/app.ts")).createDashboardApp({
    self: core.name,
    cookie: core.parts.cookie,
    secure: core.parts.scheme === "wss",
    limits: core.parts.limits,
    nodes: () => ({ visible: core.mesh.nodes(), hidden: core.mesh.hiddenNodes() }),
    call: (node, module, fn, args, timeoutMs) => core.rpc.call(node, module, fn, args, { timeoutMs }),
    onChange: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    stopping: () => core.stopping,
  });
  let app: ReturnType<typeof create> | undefined;
  return async (req) => (await (app ??= create())).fetch(req);
}

/**
 * `POST /rpc`: runs here without `node` (or naming this node), else goes
 * through the mesh. A function that answered at once is answered at once:
 * no promise of its own.
 */
function serveHttpCall(core: NodeCore, req: CallRequest): CallResult | Promise<CallResult> {
  if (core.stopping) return noconnection(core.name, "the node is shutting down");
  const timeoutMs = req.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  if (req.node === undefined || req.node === core.name) {
    return core.rpc.serve({ caller: core.name, module: req.module, function: req.function, args: req.args, timeoutMs });
  }
  return core.rpc.call(req.node, req.module, req.function, req.args, { timeoutMs });
}

function renderMetrics(core: NodeCore): string {
  const mem = core.parts.rt.memory();
  return core.metrics.render(core.name, {
    connectedNodes: core.nodes().length + core.hiddenNodes().length,
    uptimeSeconds: (Date.now() - core.startedAt) / 1000,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    pendingCalls: core.mesh.pendingCalls(),
  });
}

/** What `meshrpc status` shows. */
export function nodeStatus(core: NodeCore): NodeStatus {
  const p = core.parts;
  return {
    node: core.name,
    pid: p.rt.pid,
    port: core.port,
    listen: p.listen,
    socket: core.socket,
    runtime: p.rt.name,
    runtimeVersion: p.rt.version,
    version: VERSION,
    uptimeSeconds: (Date.now() - core.startedAt) / 1000,
    hidden: p.hidden,
    epmdPort: p.epmdPort,
    nodes: core.nodes(),
    hiddenNodes: core.hiddenNodes(),
    modules: core.modules.names(),
  };
}
