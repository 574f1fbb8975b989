#!/usr/bin/env bun
/**
 * The `meshrpc` executable: loads the runtime, picks the subcommand, runs
 * it, exits with its code.
 *
 * @module
 */
import { VERSION } from "../lib/version.ts";
import { loadRuntime } from "../lib/runtime/mod.ts";
import type { Runtime } from "../lib/runtime/types.ts";
import { disconnect, join, load, monitor, nodes, ping, status, stop } from "./admin.ts";
import { call, cast, multicall } from "./call.ts";
import { ControlError } from "../lib/control/client.ts";
import { CliError, type Command, EXIT, parse, positionals } from "./cli.ts";
import { epmd, names } from "./epmd.ts";
import { start } from "./start.ts";

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
  run(ctx) {
    const [name] = positionals(ctx, 0, 1, "at most one COMMAND");
    if (name === undefined) {
      ctx.rt.stdout(usage());
      return Promise.resolve(0);
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw unknown(name);
    ctx.rt.stdout(cmd.help);
    return Promise.resolve(0);
  },
};

const COMMANDS: Command[] = [
  start, stop, status, ping, join, disconnect, nodes, call, cast, multicall, load, names, monitor, epmd, version, help,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "meshrpc: Erlang-style distribution for Bun and Deno",
    "",
    "Usage: meshrpc COMMAND [ARGS] [--help]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
    rt.stderr(usage());
    return 2;
  }
  if (name === "--help" || name === "-h") {
    rt.stdout(usage());
    return 0;
  }
  if (name === "--version") return run(rt, ["version"]);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw unknown(name);
  const parsed = parse(command, rest);
  if (parsed.values.help) {
    rt.stdout(command.help);
    return 0;
  }
  return await command.run({ rt, command, ...parsed });
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
