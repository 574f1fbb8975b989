/**
 * `meshrpc start`: the daemon, in the foreground (what systemd and a
 * terminal want) or `--detach`ed once it is ready to serve.
 *
 * @module
 */
import { ControlClient } from "../lib/control/client.ts";
import { ensureRuntimeDir, socketIsLive } from "../lib/node/control_socket.ts";
import { createLogger } from "../lib/core/log.ts";
import { nodeNameFrom } from "../lib/core/name.ts";
import { sleep } from "../lib/core/sleep.ts";
import { type NodeOptions, NodeStartError, type StartFailure } from "../lib/node/options.ts";
import { startNode } from "../lib/node/start.ts";
import { logPath, runtimeDir, socketPath } from "../lib/node/paths.ts";
import type { Runtime } from "../lib/runtime/types.ts";
import { CliError, type Command, type Context, int, logFormat, positionals, str } from "./cli.ts";

const HELP = `meshrpc start (--sname NAME | --name NAME) [options]

Starts a node. It runs in the foreground until SIGTERM/SIGINT or
\`meshrpc stop\`; with --detach it starts in the background and returns once
the node serves.

  --sname NAME        hoge (becomes hoge@<short hostname>) or hoge@localhost
  --name NAME         hoge@db1.example.com (long names; a bare name gets the full hostname)
  --cookie SECRET     shared secret (else $MESHRPC_COOKIE, else ~/.meshrpc.cookie)
  --port N            TCP port for links and HTTP (default 0: a free port)
  --listen ADDR       address to listen on (default 0.0.0.0)
  --join NODE         connect to NODE and keep reconnecting (repeatable)
  --modules DIR       load every .ts/.js file in DIR as a module
  --hidden            connect without joining the mesh
  --ticktime SECONDS  declare a silent peer down after this long (default 60)
  --http-idle-timeout SECONDS
                      close idle HTTP keep-alive connections after this long
                      (default 30, 0 never, at most 255; calls may still run
                      for their whole timeout)
  --epmd-port N       port mapper port (else $MESHRPC_EPMD_PORT, else 4370)
  --erlang            also join Erlang/Elixir nodes: register with epmd
                      ($ERL_EPMD_PORT, else 4369) and speak their protocol
  --erlang-port N     TCP port for Erlang nodes (default 0: a free port)
  --log-format F      text (default) or json
  --tls-cert FILE     serve HTTPS (with --tls-key)
  --tls-key FILE
  --detach            start in the background, print name, port and socket
  -h, --help`;

/** The flags as NodeOptions. Throws CliError (exit 2) for bad or missing values. */
export function nodeOptions(ctx: Context): NodeOptions {
  const sname = str(ctx, "sname");
  const name = str(ctx, "name");
  if (!sname === !name) {
    throw new CliError("Give the node a name with --sname hoge@localhost (or --name hoge@host.example.com)", 2);
  }
  const tlsCert = str(ctx, "tls-cert");
  const tlsKey = str(ctx, "tls-key");
  if (!tlsCert !== !tlsKey) throw new CliError("--tls-cert and --tls-key go together", 2);
  const ticktime = str(ctx, "ticktime");
  const tick = ticktime === undefined ? undefined : Number(ticktime);
  if (tick !== undefined && !(tick > 0 && Number.isFinite(tick))) {
    throw new CliError(`--ticktime must be a positive number of seconds, not "${ticktime}"`, 2);
  }
  if (ctx.values["erlang-port"] !== undefined && ctx.values.erlang !== true) {
    throw new CliError("--erlang-port goes with --erlang", 2);
  }
  return {
    name: (sname ?? name)!,
    longNames: name !== undefined,
    cookie: str(ctx, "cookie"),
    port: int(ctx, "port", 0, 65535),
    listen: str(ctx, "listen"),
    join: (ctx.values.join as string[] | undefined) ?? [],
    modulesDir: str(ctx, "modules"),
    hidden: ctx.values.hidden === true,
    ticktimeSeconds: tick,
    httpIdleTimeoutSeconds: int(ctx, "http-idle-timeout", 0, 255),
    epmdPort: int(ctx, "epmd-port", 1, 65535),
    erlang: ctx.values.erlang === true,
    erlangPort: int(ctx, "erlang-port", 0, 65535),
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
  };
}

/** SPEC §4/§7: 2 for bad input (fix the command or its settings), 1 for failures at run time. */
const EXIT_CODES: Record<StartFailure, 1 | 2> = {
  bad_name: 2,
  bad_cookie: 2,
  bad_option: 2,
  unreadable_file: 2,
  already_running: 1,
  name_taken: 1,
  epmd_unavailable: 1,
  listen_failed: 1,
  module_failed: 1,
  runtime_dir_failed: 1,
  unsafe_runtime_dir: 2,
};

async function foreground(ctx: Context, options: NodeOptions): Promise<number> {
  const rt = ctx.rt;
  const log = createLogger(logFormat(ctx), (line) => rt.logLine(line));
  const node = await startNode({ ...options, log });
  let signals = 0;
  const onSignal = (signal: string) => () => {
    if (++signals > 1) {
      log.warn("exit_now", { signal, message: "second signal: exiting without waiting for calls in flight" });
      rt.exit(1);
    }
    log.info("signal", { signal });
    void node.stop();
  };
  rt.onSignal("SIGTERM", onSignal("SIGTERM"));
  rt.onSignal("SIGINT", onSignal("SIGINT"));
  await node.stopped;
  return 0;
}

async function readOrEmpty(rt: Runtime, file: string): Promise<string> {
  try {
    return await rt.readTextFile(file);
  } catch {
    return "";
  }
}

/** The last lines written to `file` after its first `from` characters (the log is appended to across starts). */
async function tail(rt: Runtime, file: string, from: number, lines: number): Promise<string> {
  return (await readOrEmpty(rt, file)).slice(from).trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts the detached node. Throws CliError (exit 1) when its log file cannot be opened (a planted link is not followed). */
function spawnLogged(rt: Runtime, argv: string[], logFile: string) {
  try {
    return rt.spawnDetached(argv, { logFile });
  } catch (err) {
    throw new CliError(`Cannot open the log file ${logFile}: ${(err as Error).message}`, 1);
  }
}

/** Starts the same command without --detach in the background; returns once it serves, or fails with its reason. */
async function detach(ctx: Context, options: NodeOptions): Promise<number> {
  const rt = ctx.rt;
  logFormat(ctx);
  let full: string;
  try {
    full = nodeNameFrom(options.name, rt.os().hostname, options.longNames ?? false).full;
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const dir = runtimeDir(rt);
  const socket = socketPath(dir, full);
  if (await socketIsLive(rt, socket)) {
    throw new CliError(`node ${full} is already running (control socket ${socket}); stop it with \`meshrpc stop --node ${full}\``, 1);
  }
  await ensureRuntimeDir(rt, dir);
  const logFile = logPath(dir, full);
  const logStart = (await readOrEmpty(rt, logFile)).length;
  const args = rt.args.filter((a) => a !== "--detach");
  const child = spawnLogged(rt, [...rt.selfCommand(), ...args], logFile);
  let exitCode: number | undefined;
  child.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      const why = await tail(rt, logFile, logStart, 5);
      throw new CliError(`node ${full} did not start (exit code ${exitCode}):\n${why}\nFull log: ${logFile}`, exitCode || 1);
    }
    if (await socketIsLive(rt, socket)) {
      const status = await new ControlClient(rt, socket).status();
      if (status.pid === child.pid) {
        rt.stdout(`started ${status.node}\nport ${status.port}\nsocket ${socket}\npid ${status.pid}\nlog ${logFile}`);
        return 0;
      }
    }
    await sleep(50);
  }
  rt.kill(child.pid, "SIGTERM");
  throw new CliError(`node ${full} did not become ready within 30 s; see its log: ${logFile}`, 1);
}

export const start: Command = {
  name: "start",
  summary: "start a node (foreground, or --detach)",
  help: HELP,
  options: {
    sname: { type: "string" },
    name: { type: "string" },
    cookie: { type: "string" },
    port: { type: "string" },
    listen: { type: "string" },
    join: { type: "string", multiple: true },
    modules: { type: "string" },
    hidden: { type: "boolean" },
    ticktime: { type: "string" },
    "http-idle-timeout": { type: "string" },
    "epmd-port": { type: "string" },
    erlang: { type: "boolean" },
    "erlang-port": { type: "string" },
    "log-format": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    detach: { type: "boolean" },
  },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments besides its flags");
    const options = nodeOptions(ctx);
    try {
      return ctx.values.detach ? await detach(ctx, options) : await foreground(ctx, options);
    } catch (err) {
      if (err instanceof NodeStartError) throw new CliError(err.message, EXIT_CODES[err.reason]);
      throw err;
    }
  },
};
