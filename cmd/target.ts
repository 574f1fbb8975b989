/**
 * Which local daemon a subcommand talks to: `--node NAME`, else
 * `$MESHRPC_NODE`, else the only one running in the runtime directory.
 *
 * @module
 */
import { ControlClient } from "../lib/control/client.ts";
import { socketIsLive } from "../lib/node/control_socket.ts";
import { nodeOfSocket, runtimeDir, socketPath } from "../lib/node/paths.ts";
import type { Runtime } from "../lib/runtime/types.ts";
import { CliError, type Context, EXIT, type OptionSpec, str } from "./cli.ts";

export const NODE_OPTION: OptionSpec = { node: { type: "string" } };

/** The nodes whose control sockets are in the runtime directory (live or stale). */
function socketNodes(rt: Runtime): string[] {
  try {
    return rt.readDirSync(runtimeDir(rt)).map(nodeOfSocket).filter((n): n is string => n !== undefined).sort();
  } catch {
    return [];
  }
}

/** The nodes that answer on their control sockets (a stale socket of a crashed node does not). */
export async function runningNodes(rt: Runtime, names = socketNodes(rt)): Promise<string[]> {
  const dir = runtimeDir(rt);
  const live = await Promise.all(names.map((n) => socketIsLive(rt, socketPath(dir, n))));
  return names.filter((_, i) => live[i]);
}

function notRunning(rt: Runtime, what: string, name = "hoge@localhost"): CliError {
  return new CliError(
    `${what} (looked for control sockets in ${runtimeDir(rt)}).\n` +
      `Start one with \`meshrpc start --sname ${name} --cookie mycookie\`, ` +
      "or set MESHRPC_RUNTIME_DIR to where it runs.",
    EXIT.noconnection,
  );
}

/** The client of `node`'s socket (at `path`); when nothing answers there, a node that is gone left it behind. */
function clientOf(rt: Runtime, node: string, path = socketPath(runtimeDir(rt), node)): ControlClient {
  return new ControlClient(rt, path, async (error) => {
    if (await socketIsLive(rt, path)) return error;
    return notRunning(rt, `Node ${node} is not running on this host: ${path} was left behind by a node that is gone`, node);
  });
}

/**
 * The control client for the chosen node. `wanted` overrides `--node` (as
 * `load --node N` does when N runs here). Throws CliError: exit 3 when no
 * such node runs here, exit 2 when several run and none was picked.
 */
export async function controlClient(ctx: Context, wanted?: string): Promise<ControlClient> {
  const rt = ctx.rt;
  const asked = wanted ?? str(ctx, "node") ?? (rt.env("MESHRPC_NODE") || undefined);
  if (asked) {
    // A full name gives the socket's path: no need to list the directory.
    const named = asked.includes("@") ? socketPath(runtimeDir(rt), asked) : undefined;
    if (named && await rt.lstat(named).catch(() => undefined)) return clientOf(rt, asked, named);
    // Only the named node's socket is used: another node being frozen must not matter.
    const known = socketNodes(rt);
    const matches = asked.includes("@") ? known.filter((n) => n === asked) : known.filter((n) => n.split("@")[0] === asked);
    if (matches.length === 1) return clientOf(rt, matches[0]);
    if (matches.length > 1) {
      throw new CliError(`Several nodes here are called ${asked}: ${matches.join(", ")}; give the full name`, 2);
    }
    throw notRunning(
      rt,
      `Node ${asked} is not running on this host${known.length ? ` (running: ${known.join(", ")})` : ""}`,
      asked.includes("@") ? asked : `${asked}@localhost`,
    );
  }
  // The only socket here is used without a probe first: a round trip less for every command.
  const here = socketNodes(rt);
  if (here.length === 1) return clientOf(rt, here[0]);
  const running = await runningNodes(rt, here);
  if (running.length === 1) return clientOf(rt, running[0]);
  if (running.length === 0) throw notRunning(rt, "No meshrpc node is running on this host");
  throw new CliError(
    `Several nodes run on this host: ${running.join(", ")}.\nPick one with --node NAME or MESHRPC_NODE.`,
    2,
  );
}
