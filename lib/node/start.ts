/**
 * `startNode`: settles a node's name, cookie and settings (failing with a
 * reason when one is wrong), then wires the node and hands out its facade.
 *
 * @module
 */
import { DEFAULT_LIMITS } from "../codec/limits.ts";
import { loadRuntime } from "../runtime/mod.ts";
import { resolveCookie } from "./cookie.ts";
import { safeLogger, silentLogger } from "../core/log.ts";
import { dialHost, type NodeAddress, nodeNameFrom } from "../core/name.ts";
import { httpEdge } from "./edges.ts";
import { MeshNode } from "./node.ts";
import { DEFAULTS, type NodeOptions, NodeStartError } from "./options.ts";
import { epmdPortFromEnv } from "../epmd/port.ts";
import { epmdPortFromEnv as erlEpmdPortFromEnv } from "../erlang/epmd.ts";
import { runtimeDir } from "./paths.ts";
import { NodeCore } from "./wiring.ts";

/**
 * Starts a node: the only way to get a `MeshNode`. Throws NodeStartError
 * whose `reason` says why: `bad_name` (invalid, with a port, or its host
 * does not resolve), `bad_cookie`, `bad_option`, `unreadable_file` (bad
 * input), or `already_running`, `name_taken`, `epmd_unavailable`,
 * `listen_failed`, `module_failed`, `runtime_dir_failed`. What was started
 * before the failure is stopped again.
 */
export async function startNode(options: NodeOptions): Promise<MeshNode> {
  const rt = await loadRuntime();
  let address: NodeAddress;
  try {
    address = nodeNameFrom(options.name, rt.os().hostname, options.longNames ?? false);
  } catch (err) {
    throw new NodeStartError("bad_name", (err as Error).message);
  }
  if (address.port !== undefined) {
    throw new NodeStartError("bad_name", `A node's own name takes no port (${options.name}): use --port ${address.port}`);
  }
  try {
    await rt.resolveHost(dialHost(address.host));
  } catch {
    throw new NodeStartError(
      "bad_name",
      `The host part of ${address.full} does not resolve: use a host name this machine knows (localhost, or add it to /etc/hosts)`,
    );
  }
  const cookie = await resolveCookie(rt, options.cookie);
  let epmdPort: number;
  let erlEpmdPort: number;
  try {
    epmdPort = options.epmdPort ?? epmdPortFromEnv(rt);
    erlEpmdPort = options.erlangEpmdPort ?? erlEpmdPortFromEnv((n) => rt.env(n));
  } catch (err) {
    throw new NodeStartError("bad_option", (err as Error).message);
  }
  const ticktime = options.ticktimeSeconds ?? DEFAULTS.ticktimeSeconds;
  if (!(ticktime > 0) || !Number.isFinite(ticktime)) {
    throw new NodeStartError("bad_option", `The ticktime must be a positive number of seconds, not ${ticktime}`);
  }
  const idle = options.httpIdleTimeoutSeconds;
  if (idle !== undefined && !(Number.isInteger(idle) && idle >= 0 && idle <= 255)) {
    throw new NodeStartError("bad_option", `httpIdleTimeoutSeconds must be a whole number from 0 to 255, not ${idle}`);
  }
  const core = new NodeCore({
    rt,
    address,
    cookie,
    hidden: options.hidden ?? false,
    listen: options.listen ?? DEFAULTS.listen,
    epmdPort,
    erlEpmdPort,
    runtimeDir: options.runtimeDir ?? runtimeDir(rt),
    limits: options.limits ?? DEFAULT_LIMITS,
    log: options.log ? safeLogger(options.log) : silentLogger,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    scheme: options.tls ? "wss" : "ws",
  });
  const node = new MeshNode(core);
  await core.start(options, { api: node, fetch: httpEdge(core, options.httpMaxRequests) });
  return node;
}
