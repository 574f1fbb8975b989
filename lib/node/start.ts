/**
 * `startNode`: settles a node's name, cookie and settings (failing with the
 * CLI's exit code when one is wrong), then starts it.
 *
 * @module
 */
import { DEFAULT_LIMITS } from "../codec/limits.ts";
import { loadRuntime } from "../runtime/mod.ts";
import { resolveCookie } from "./cookie.ts";
import { safeLogger, silentLogger } from "../core/log.ts";
import { dialHost, type NodeAddress, nodeNameFrom } from "../core/name.ts";
import { MeshNode } from "./node.ts";
import { DEFAULTS, type NodeOptions, NodeStartError } from "./options.ts";
import { epmdPortFromEnv } from "../epmd/port.ts";
import { runtimeDir } from "./paths.ts";

/**
 * Starts a node. Throws NodeStartError (with the CLI's exit code) when the
 * name is invalid or does not resolve (2), the cookie is unusable (2), the
 * port is taken, the name is already registered or running, or a module
 * fails to load (1).
 */
export async function startNode(options: NodeOptions): Promise<MeshNode> {
  const rt = await loadRuntime();
  let address: NodeAddress;
  try {
    address = nodeNameFrom(options.name, rt.os().hostname, options.longNames ?? false);
  } catch (err) {
    throw new NodeStartError((err as Error).message, 2);
  }
  if (address.port !== undefined) {
    throw new NodeStartError(`A node's own name takes no port (${options.name}): use --port ${address.port}`, 2);
  }
  try {
    await rt.resolveHost(dialHost(address.host));
  } catch {
    throw new NodeStartError(
      `The host part of ${address.full} does not resolve: use a host name this machine knows (localhost, or add it to /etc/hosts)`,
      2,
    );
  }
  let cookie: string;
  try {
    cookie = await resolveCookie(rt, options.cookie);
  } catch (err) {
    throw new NodeStartError((err as Error).message, 2);
  }
  let epmdPort: number;
  try {
    epmdPort = options.epmdPort ?? epmdPortFromEnv(rt);
  } catch (err) {
    throw new NodeStartError((err as Error).message, 2);
  }
  const ticktime = options.ticktimeSeconds ?? DEFAULTS.ticktimeSeconds;
  if (!(ticktime > 0) || !Number.isFinite(ticktime)) {
    throw new NodeStartError(`The ticktime must be a positive number of seconds, not ${ticktime}`, 2);
  }
  const node = new MeshNode({
    rt,
    address,
    cookie,
    hidden: options.hidden ?? false,
    listen: options.listen ?? DEFAULTS.listen,
    epmdPort,
    runtimeDir: options.runtimeDir ?? runtimeDir(rt),
    limits: options.limits ?? DEFAULT_LIMITS,
    log: options.log ? safeLogger(options.log) : silentLogger,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    scheme: options.tls ? "wss" : "ws",
  });
  await node.start(options);
  return node;
}
