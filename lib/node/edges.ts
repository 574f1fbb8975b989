/**
 * A node's faces to the outside besides the library: the HTTP app
 * (`POST /rpc`, `/health`, `/metrics`) and the status the control plane
 * reports.
 *
 * @module
 */
import type { NodeStatus } from "../control/protocol.ts";
import { createHttpApp } from "../http/app.ts";
import { type CallResult, DEFAULT_CALL_TIMEOUT_MS, noconnection } from "../result.ts";
import type { CallRequest } from "../rpc/request.ts";
import { VERSION } from "../version.ts";
import type { NodeCore } from "./wiring.ts";

/** The node's HTTP handler (the links' `/dist` upgrade is the server's, see the wiring). */
export function httpEdge(core: NodeCore): (req: Request) => Response | Promise<Response> {
  const app = createHttpApp({
    cookie: core.parts.cookie,
    limits: core.parts.limits,
    call: (req) => serveHttpCall(core, req),
    health: () => ({ status: core.stopping ? "stopping" : "ok", node: core.name, nodes: core.nodes().length }),
    metrics: () => renderMetrics(core),
  });
  return (req) => app.fetch(req);
}

/** `POST /rpc`: runs here without `node` (or naming this node), else goes through the mesh. */
async function serveHttpCall(core: NodeCore, req: CallRequest): Promise<CallResult> {
  if (core.stopping) return noconnection(core.name, "the node is shutting down");
  const timeoutMs = req.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  if (req.node === undefined || req.node === core.name) {
    return await core.rpc.serve({ caller: core.name, module: req.module, function: req.function, args: req.args, timeoutMs });
  }
  return await core.rpc.call(req.node, req.module, req.function, req.args, { timeoutMs });
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
