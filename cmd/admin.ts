/**
 * Subcommands that manage a running daemon: stop, status, ping, join,
 * disconnect, nodes, load, monitor.
 *
 * @module
 */
import type { NodeResult } from "../lib/control/protocol.ts";
import { parseNodeName } from "../lib/core/name.ts";
import { sleep } from "../lib/core/sleep.ts";
import type { CallResult } from "../lib/result.ts";
import {
  CliError,
  type Command,
  type Context,
  EXIT,
  format,
  nodeResultJson,
  type OutputFormat,
  positionals,
  printFailure,
  printValue,
  str,
} from "./cli.ts";
import { monitorLine } from "./monitor_line.ts";
import { terminalSafe } from "./terminal.ts";
import { controlClient, NODE_OPTION, runningNodes } from "./target.ts";

const NODE_HELP = "  --node NAME        the local daemon to use, when several run\n  -h, --help";

/** Checks a node name given on the command line (name@host or name@host:port); exit 2 when invalid. */
function nodeName(text: string): string {
  try {
    parseNodeName(text);
    return text;
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

export const stop: Command = {
  name: "stop",
  summary: "stop a running node cleanly",
  help: `meshrpc stop [--node NAME]

Asks the node to stop as SIGTERM does (calls in flight finish, peers are told,
the name leaves the port mapper, the control socket goes) and waits for it.
${NODE_HELP}`,
  options: { ...NODE_OPTION },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments");
    const client = await controlClient(ctx);
    const { node } = await client.status();
    await client.stop();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!(await ctx.rt.stat(client.socket))) {
        ctx.rt.stdout(`stopped ${node}`);
        return 0;
      }
      await sleep(50);
    }
    throw new CliError(`${node} was asked to stop but its control socket ${client.socket} is still there after 15 s`, 1);
  },
};

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  const parts = [[Math.floor(s / 86400), "d"], [Math.floor(s / 3600) % 24, "h"], [Math.floor(s / 60) % 60, "m"], [s % 60, "s"]];
  return parts.filter(([n], i) => n || i === 3).map(([n, u]) => `${n}${u}`).join(" ");
}

export const status: Command = {
  name: "status",
  summary: "show a running node's name, port, peers and modules",
  help: `meshrpc status [--node NAME] [--format text|json]

  --format F         text (default) or json (one compact line)
${NODE_HELP}`,
  options: { ...NODE_OPTION, format: { type: "string" } },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments");
    const fmt = format(ctx, ["text", "json"]);
    const s = await (await controlClient(ctx)).status();
    if (fmt === "json") {
      printValue(ctx.rt, s as never, "json");
      return 0;
    }
    const lines = [
      `node     ${s.node}${s.hidden ? " (hidden)" : ""}`,
      `status   running, up ${duration(s.uptimeSeconds)}`,
      `pid      ${s.pid}`,
      `listen   ${s.listen}:${s.port}`,
      `socket   ${s.socket}`,
      `runtime  ${s.runtime} ${s.runtimeVersion}, meshrpc ${s.version}`,
      `epmd     port ${s.epmdPort}`,
      `nodes    ${s.nodes.length ? s.nodes.join(", ") : "(none)"}`,
      ...(s.hiddenNodes.length ? [`hidden   ${s.hiddenNodes.join(", ")}`] : []),
      `modules  ${s.modules.join(", ")}`,
    ];
    ctx.rt.stdout(lines.join("\n"));
    return 0;
  },
};

export const ping: Command = {
  name: "ping",
  summary: "ping a node: pong or pang",
  help: `meshrpc ping NODE [--node NAME]

Prints pong when NODE is (or can be) connected, pang otherwise (exit 3).
${NODE_HELP}`,
  options: { ...NODE_OPTION },
  async run(ctx) {
    const [node] = positionals(ctx, 1, 1, "one NODE");
    const r = await (await controlClient(ctx)).ping(nodeName(node));
    if (r.kind !== "ok") return printFailure(ctx.rt, r);
    ctx.rt.stdout(String(r.value));
    return r.value === "pong" ? 0 : EXIT.noconnection;
  },
};

function doneOrFail(ctx: Context, r: CallResult, message: string): number {
  if (r.kind !== "ok") return printFailure(ctx.rt, r);
  ctx.rt.stdout(message);
  return 0;
}

export const join: Command = {
  name: "join",
  summary: "connect to a node (and, through it, to its mesh)",
  help: `meshrpc join NODE [--node NAME]

Connects the local node to NODE; both then connect to the nodes the other
knows (the full mesh). Exit 3 with the reason when NODE cannot be reached.
${NODE_HELP}`,
  options: { ...NODE_OPTION },
  async run(ctx) {
    const [node] = positionals(ctx, 1, 1, "one NODE");
    const r = await (await controlClient(ctx)).join(nodeName(node));
    return doneOrFail(ctx, r, `connected to ${node}`);
  },
};

export const disconnect: Command = {
  name: "disconnect",
  summary: "close the link to a node",
  help: `meshrpc disconnect NODE [--node NAME]

Closes the link to NODE (it reconnects on the next call to it).
${NODE_HELP}`,
  options: { ...NODE_OPTION },
  async run(ctx) {
    const [node] = positionals(ctx, 1, 1, "one NODE");
    const r = await (await controlClient(ctx)).disconnect(nodeName(node));
    if (r.kind === "ok" && r.value === false) {
      ctx.rt.stderr(`meshrpc: not connected to ${node}; nothing to do`);
      return EXIT.noconnection;
    }
    return doneOrFail(ctx, r, `disconnected from ${node}`);
  },
};

export const nodes: Command = {
  name: "nodes",
  summary: "list the connected nodes",
  help: `meshrpc nodes [--hidden] [--node NAME] [--format text|json]

Prints one connected node per line (Erlang's nodes()); --hidden lists the
hidden ones instead.

  --hidden           list connected hidden nodes
  --format F         text (default) or json (one compact JSON list)
${NODE_HELP}`,
  options: { ...NODE_OPTION, hidden: { type: "boolean" }, format: { type: "string" } },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments");
    const fmt = format(ctx, ["text", "json"]);
    const r = await (await controlClient(ctx)).nodes();
    const list = ctx.values.hidden ? r.hidden : r.nodes;
    if (fmt === "json") printValue(ctx.rt, list, "json");
    else if (list.length) ctx.rt.stdout(list.join("\n"));
    return 0;
  },
};

export const load: Command = {
  name: "load",
  summary: "load or reload a module file on nodes",
  help: `meshrpc load FILE [--node NAME | --all] [--format text|json]

Loads (or reloads) FILE (Person.ts becomes module Person) on the local node,
on node NAME, or with --all on every connected node too (Erlang's nl/1).
Prints one line per node; exit 1 when it failed anywhere.

  --node NAME        load there (a local daemon of that name, else through the local daemon)
  --all              load on this node and every connected node
  --format F         text (default) or json (one compact JSON object per node and line)
  -h, --help`,
  options: { ...NODE_OPTION, all: { type: "boolean" }, format: { type: "string" } },
  async run(ctx) {
    const [file] = positionals(ctx, 1, 1, "one FILE");
    const fmt = format(ctx, ["text", "json"]);
    const wanted = str(ctx, "node");
    if (wanted && ctx.values.all) throw new CliError("Give either --node NAME or --all, not both", 2);
    let source: string;
    try {
      source = await ctx.rt.readTextFile(file);
    } catch (err) {
      throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 2);
    }
    const base = file.slice(file.lastIndexOf("/") + 1);
    const local = wanted && (await runningNodes(ctx.rt)).some((n) => n === wanted || n.split("@")[0] === wanted);
    const client = await controlClient(ctx, local ? wanted : undefined);
    const target = wanted && !local ? [nodeName(wanted)] : undefined;
    const r = await client.load({ file: base, source, nodes: target, all: ctx.values.all === true });
    if (!Array.isArray(r)) return printFailure(ctx.rt, r);
    return printLoads(ctx, r, fmt);
  },
};

function printLoads(ctx: Context, results: NodeResult[], fmt: OutputFormat): number {
  let code = 0;
  for (const { node, result } of results) {
    if (fmt === "json") ctx.rt.stdout(nodeResultJson(node, result));
    else if (result.kind === "ok") {
      const v = result.value as { module: string; functions: string[] };
      ctx.rt.stdout(`${node}: loaded ${v.module} (${v.functions.join(", ")})`);
    }
    if (result.kind !== "ok") code ||= printFailure(ctx.rt, result, node);
  }
  return code;
}

export const monitor: Command = {
  name: "monitor",
  summary: "print nodeup/nodedown events as they happen",
  help: `meshrpc monitor [--node NAME] [--format text|json]

Prints a line per nodeup/nodedown until interrupted (Ctrl-C) or the node stops
(exit 3).
  --format F         text (default) or json (one object per line)
${NODE_HELP}`,
  options: { ...NODE_OPTION, format: { type: "string" } },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments");
    const fmt = format(ctx, ["text", "json"]);
    const client = await controlClient(ctx);
    const stopped = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      stopped.abort();
    };
    ctx.rt.onSignal("SIGINT", onSignal);
    ctx.rt.onSignal("SIGTERM", onSignal);
    let self = "";
    await client.events((e) => {
      if (e.type === "subscribed") {
        self = terminalSafe(String(e.node));
        ctx.rt.stderr(`monitoring ${self} (Ctrl-C to stop)`);
      } else ctx.rt.stdout(monitorLine(e, fmt as "text" | "json"));
    }, stopped.signal);
    if (interrupted) return 0;
    ctx.rt.stderr(`meshrpc: ${self || "the node"} stopped; monitor ends`);
    return EXIT.noconnection;
  },
};
