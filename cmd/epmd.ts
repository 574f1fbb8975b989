/**
 * `meshrpc epmd` (the port mapper) and `meshrpc names [HOST]`.
 *
 * @module
 */
import { listNames } from "../lib/epmd/lookup.ts";
import { startEpmd } from "../lib/epmd/server.ts";
import { EpmdError } from "../lib/epmd/errors.ts";
import { createLogger } from "../lib/core/log.ts";
import { epmdPortFromEnv } from "../lib/epmd/port.ts";
import { VERSION } from "../lib/version.ts";
import { CliError, type Command, type Context, EXIT, format, int, logFormat, positionals, printValue, str } from "./cli.ts";
import { terminalSafe } from "./terminal.ts";

/** `--epmd-port`/`--port`, else `$MESHRPC_EPMD_PORT`, else 4370. */
function epmdPort(ctx: Context, flag: string): number {
  const fromFlag = int(ctx, flag, 1, 65535);
  if (fromFlag !== undefined) return fromFlag;
  try {
    return epmdPortFromEnv(ctx.rt);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

export const epmd: Command = {
  name: "epmd",
  summary: "run the port mapper (nodes on a host find each other by name)",
  help: `meshrpc epmd [--port N] [--listen ADDR] [--state-file PATH] [--log-format text|json]

Runs the port mapper in the foreground (a starting node starts one itself,
in the background, when none runs). Nodes register name -> port; a name goes
away when its node dies. curl http://HOST:4370/names lists them.

  --port N           default $MESHRPC_EPMD_PORT, else 4370
  --listen ADDR      default 0.0.0.0 (other hosts look names up here)
  --state-file PATH  keep the names and their tokens here (mode 0600), so that
                     after a restart each name goes back to its own node
  --log-format F     text (default) or json
  -h, --help`,
  options: {
    port: { type: "string" },
    listen: { type: "string" },
    "state-file": { type: "string" },
    "log-format": { type: "string" },
  },
  async run(ctx) {
    positionals(ctx, 0, 0, "no arguments besides its flags");
    const log = createLogger(logFormat(ctx), (line) => ctx.rt.logLine(line));
    let server;
    try {
      server = await startEpmd(ctx.rt, {
        hostname: str(ctx, "listen") ?? "0.0.0.0",
        port: epmdPort(ctx, "port"),
        stateFile: str(ctx, "state-file"),
        log,
        version: VERSION,
      });
    } catch (err) {
      throw new CliError((err as Error).message, 1);
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => () => {
        log.info("signal", { signal });
        resolve();
      };
      ctx.rt.onSignal("SIGTERM", stop("SIGTERM"));
      ctx.rt.onSignal("SIGINT", stop("SIGINT"));
    });
    await server.stop();
    log.info("epmd_stopped", {});
    return 0;
  },
};

export const names: Command = {
  name: "names",
  summary: "list the nodes registered on a host",
  help: `meshrpc names [HOST] [--epmd-port N] [--format text|json]

Asks HOST's port mapper (default localhost) which node names it knows and
their ports, as Erlang's net_adm:names/1.

  --epmd-port N      default $MESHRPC_EPMD_PORT, else 4370
  --format F         text (default) or json (one compact JSON list)
  -h, --help`,
  options: { "epmd-port": { type: "string" }, format: { type: "string" } },
  async run(ctx) {
    const [host = "localhost"] = positionals(ctx, 0, 1, "at most one HOST");
    const fmt = format(ctx, ["text", "json"]);
    let entries;
    try {
      entries = await listNames({ host, epmdPort: epmdPort(ctx, "epmd-port") });
    } catch (err) {
      throw new CliError(err instanceof EpmdError ? err.message : String(err), EXIT.noconnection);
    }
    if (fmt === "json") printValue(ctx.rt, entries.map((e) => ({ ...e })), "json");
    else if (entries.length === 0) ctx.rt.stderr(`no names registered on ${host}`);
    else ctx.rt.stdout(entries.map((e) => `name ${terminalSafe(e.name)} at port ${e.port}`).join("\n"));
    return 0;
  },
};
