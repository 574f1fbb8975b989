#!/usr/bin/env bun
/**
 * The `meshrpc` executable: loads the runtime, picks the subcommand, runs
 * it, exits with its code. A subcommand's module is imported when it runs
 * (all of them for the usage), so `meshrpc call` does not evaluate the node,
 * the HTTP app or the port mapper: most of the CLI's start is module loading.
 *
 * @module
 */
import { VERSION } from "../lib/version.ts";
import { loadRuntime } from "../lib/runtime/mod.ts";
import type { Runtime } from "../lib/runtime/types.ts";
import { ControlError } from "../lib/control/control_error.ts";
import { CliError, type Command, EXIT, parse, positionals } from "./cli.ts";

const version: Command = {
  name: "version",
  summary: "print the version",
  help: "meshrpc version\n\nPrints meshrpc's version and the runtime it runs on.",
  options: {},
  run(ctx) {
    positionals(ctx, 0, 0, "no arguments");
    ctx.rt.stdout(`meshrpc ${VERSION} (${ctx.rt.name} ${ctx.rt.version})`);
    return Promise.resolve(0);
  },
};

const help: Command = {
  name: "help",
  summary: "show help for meshrpc or one subcommand",
  help: "meshrpc help [COMMAND]",
  options: {},
  async run(ctx) {
    const [name] = positionals(ctx, 0, 1, "at most one COMMAND");
    if (name === undefined) {
      ctx.rt.stdout(await usage());
      return 0;
    }
    ctx.rt.stdout((await command(name)).help);
    return 0;
  },
};

// One import() per module, each of a literal path: the bundle splits them off.
const admin = () => import("./admin.ts");
const calls = () => import("./call.ts");
const epmds = () => import("./epmd.ts");
const starts = () => import("./start.ts");

/** Each subcommand's loader, in the order of the usage. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await starts()).start,
  stop: async () => (await admin()).stop,
  status: async () => (await admin()).status,
  ping: async () => (await admin()).ping,
  join: async () => (await admin()).join,
  disconnect: async () => (await admin()).disconnect,
  nodes: async () => (await admin()).nodes,
  call: async () => (await calls()).call,
  cast: async () => (await calls()).cast,
  multicall: async () => (await calls()).multicall,
  load: async () => (await admin()).load,
  names: async () => (await epmds()).names,
  monitor: async () => (await admin()).monitor,
  epmd: async () => (await epmds()).epmd,
  version: () => Promise.resolve(version),
  help: () => Promise.resolve(help),
};

/** The subcommand `name`; rejects with CliError (exit 2) pointing at `meshrpc help` when there is none. */
function command(name: string): Promise<Command> {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]() : Promise.reject(unknown(name));
}

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    "meshrpc: Erlang-style distribution for Bun and Deno",
    "",
    "Usage: meshrpc COMMAND [ARGS] [--help]",
    "",
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Environment: MESHRPC_COOKIE, MESHRPC_NODE, MESHRPC_RUNTIME_DIR, MESHRPC_EPMD_PORT",
    "Example:",
    "  meshrpc start --sname hoge@localhost --cookie mycookie --detach",
    "  meshrpc call hoge@localhost system info",
  ].join("\n");
}

function unknown(name: string): CliError {
  return new CliError(`Unknown command "${name}". Run \`meshrpc help\` for the list.`, 2);
}

async function run(rt: Runtime, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Asked for nothing: the usage answers a mistake, so it goes where errors go.
    rt.stderr(await usage());
    return 2;
  }
  if (name === "--help" || name === "-h") {
    rt.stdout(await usage());
    return 0;
  }
  if (name === "--version") return run(rt, ["version"]);
  const cmd = await command(name);
  const parsed = parse(cmd, rest);
  if (parsed.values.help) {
    rt.stdout(cmd.help);
    return 0;
  }
  return await cmd.run({ rt, command: cmd, ...parsed });
}

async function main(): Promise<void> {
  const rt = await loadRuntime();
  let code: number;
  try {
    code = await run(rt, rt.args);
  } catch (err) {
    if (err instanceof CliError) {
      rt.stderr(`meshrpc: ${err.message}`);
      code = err.code;
    } else if (err instanceof ControlError) {
      rt.stderr(`meshrpc: ${err.message}\nIs the node running? \`meshrpc status\` shows the nodes of this host.`);
      code = EXIT.noconnection;
    } else {
      rt.stderr(`meshrpc: unexpected error: ${(err as Error)?.stack ?? String(err)}\nPlease report this as a bug.`);
      code = 1;
    }
  }
  // Log lines are written asynchronously: give the last ones (stopped, the reason of a failed start) a moment.
  await rt.flushLog(1000);
  rt.exit(code);
}

await main();
