/**
 * `meshrpc call | cast | multicall`, through the local daemon.
 *
 * @module
 */
import { CodecError } from "../lib/codec/errors.ts";
import { fromJson } from "../lib/codec/json_decode.ts";
import type { NodeResult } from "../lib/control/protocol.ts";
import type { Value } from "../lib/result.ts";
import { MAX_TIMEOUT_MS } from "../lib/rpc/request.ts";
import {
  CliError,
  type Command,
  type Context,
  EXIT,
  format,
  int,
  nodeResultJson,
  type OutputFormat,
  positionals,
  printFailure,
  printResult,
  str,
} from "./cli.ts";
import { controlClient, NODE_OPTION } from "./target.ts";
import { terminalSafe, terminalSafeJson } from "./terminal.ts";

const ARGS_HELP = `Arguments are JSON values; a word that is not JSON is a string
(hoge@localhost, hello). Quote JSON strings to keep them strings: '"42"'.
--args '[...]' gives them all as one JSON list (use it for arguments
that start with "-").`;

/** A command-line word as a value: JSON if it parses, else the word as a string. */
export function argValue(word: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(word);
  } catch {
    return word;
  }
  try {
    return fromJson(parsed);
  } catch (err) {
    throw new CliError(`Argument ${word} is not usable: ${(err as Error).message}`, 2);
  }
}

/** The call's arguments: the words after MODULE FUNCTION, or `--args` (not both). */
function callArgs(ctx: Context, words: string[]): Value[] {
  const list = str(ctx, "args");
  if (list === undefined) return words.map(argValue);
  if (words.length > 0) throw new CliError("Give the arguments either as words or with --args, not both", 2);
  let parsed: unknown;
  try {
    parsed = JSON.parse(list);
  } catch (err) {
    throw new CliError(`--args is not valid JSON: ${(err as Error).message}`, 2);
  }
  if (!Array.isArray(parsed)) throw new CliError(`--args must be a JSON list such as '["hoge@localhost", 1]'`, 2);
  try {
    return fromJson(parsed) as Value[];
  } catch (err) {
    throw new CliError(`--args is not usable: ${err instanceof CodecError ? err.message : String(err)}`, 2);
  }
}

function timeoutOf(ctx: Context): number | undefined {
  return int(ctx, "timeout", 0, MAX_TIMEOUT_MS);
}

export const call: Command = {
  name: "call",
  summary: "call a function on a node and print its value",
  help: `meshrpc call NODE MODULE FUNCTION [ARG...] [--timeout MS] [--format pretty|json|text|cbor]

Runs MODULE.FUNCTION(ARG...) on NODE (through this host's daemon) and prints
the value. Exit codes: 0 ok, 1 exception or undef, 2 badarg, 3 noconnection,
4 timeout (the default timeout is 5000 ms).

${ARGS_HELP}

  --timeout MS       give up after MS milliseconds
  --format F         pretty (default: indented JSON), json (one compact line),
                     text (a string as is), cbor (raw bytes)
  --args JSON        the arguments as one JSON list
  --node NAME        the local daemon to go through, when several run
  -h, --help

Example: meshrpc call fuga@localhost Person say_hello hoge@localhost`,
  options: {
    ...NODE_OPTION,
    timeout: { type: "string" },
    format: { type: "string" },
    args: { type: "string" },
  },
  async run(ctx) {
    const [node, module, fn, ...words] = positionals(ctx, 3, Infinity, "NODE MODULE FUNCTION [ARG...]");
    const fmt = format(ctx, ["pretty", "json", "text", "cbor"]);
    const req = { node, module, function: fn, args: callArgs(ctx, words), timeoutMs: timeoutOf(ctx) };
    const client = await controlClient(ctx);
    return printResult(ctx.rt, await client.call(req), fmt, node);
  },
};

export const cast: Command = {
  name: "cast",
  summary: "run a function on a node without waiting for it",
  help: `meshrpc cast NODE MODULE FUNCTION [ARG...]

Sends MODULE.FUNCTION(ARG...) to NODE and returns at once (Erlang's
rpc:cast). Exit 0 once it is on its way; 3 when NODE cannot be reached.

${ARGS_HELP}

  --args JSON        the arguments as one JSON list
  --node NAME        the local daemon to go through, when several run
  -h, --help`,
  options: { ...NODE_OPTION, args: { type: "string" } },
  async run(ctx) {
    const [node, module, fn, ...words] = positionals(ctx, 3, Infinity, "NODE MODULE FUNCTION [ARG...]");
    const client = await controlClient(ctx);
    const r = await client.cast({ node, module, function: fn, args: callArgs(ctx, words) });
    return r.kind === "ok" ? 0 : printFailure(ctx.rt, r, node);
  },
};

function printNodeResults(ctx: Context, results: NodeResult[], fmt: OutputFormat): number {
  const lines = results.map(({ node, result }) => nodeResultJson(node, result));
  if (fmt === "json") {
    for (const line of lines) ctx.rt.stdout(line);
  } else if (fmt === "pretty") {
    // One JSON document, one node per line: readable at a glance.
    ctx.rt.stdout(lines.length ? `[\n  ${lines.join(",\n  ")}\n]` : "[]");
  } else {
    for (const { node, result } of results) {
      if (result.kind === "ok") {
        const value = typeof result.value === "string" ? terminalSafe(result.value) : terminalSafeJson(result.value);
        ctx.rt.stdout(`${node}\t${value}`);
      } else {
        ctx.rt.stdout(`${node}\terror ${result.kind}`);
      }
    }
  }
  const failed = results.find((r) => r.result.kind !== "ok");
  if (!failed || failed.result.kind === "ok") return 0;
  for (const { node, result } of results) if (result.kind !== "ok") printFailure(ctx.rt, result, node);
  return EXIT[failed.result.kind];
}

export const multicall: Command = {
  name: "multicall",
  summary: "call a function on many nodes in parallel",
  help: `meshrpc multicall [--nodes a@h,b@h] MODULE FUNCTION [ARG...] [--timeout MS] [--format pretty|json|text]

Runs MODULE.FUNCTION(ARG...) on every node in parallel: by default this node
and every connected node (rpc:multicall/3). Prints one result per node, in
order. Exit 0 when all succeeded, else the exit code of the first failure.

${ARGS_HELP}

  --nodes LIST       comma-separated node names
  --timeout MS       per node (default 5000)
  --format F         pretty (default: a JSON list, one node per line), json (one
                     compact JSON object per node and line), text (node, tab, value)
  --args JSON        the arguments as one JSON list
  --node NAME        the local daemon to go through, when several run
  -h, --help`,
  options: {
    ...NODE_OPTION,
    nodes: { type: "string" },
    timeout: { type: "string" },
    format: { type: "string" },
    args: { type: "string" },
  },
  async run(ctx) {
    const [module, fn, ...words] = positionals(ctx, 2, Infinity, "MODULE FUNCTION [ARG...]");
    const fmt = format(ctx, ["pretty", "json", "text"]);
    const list = str(ctx, "nodes");
    const nodes = list === undefined ? undefined : list.split(",").map((n) => n.trim()).filter((n) => n);
    if (nodes && nodes.length === 0) throw new CliError("--nodes needs at least one node name", 2);
    const client = await controlClient(ctx);
    const r = await client.multicall({ nodes, module, function: fn, args: callArgs(ctx, words), timeoutMs: timeoutOf(ctx) });
    if (!Array.isArray(r)) return printFailure(ctx.rt, r);
    return printNodeResults(ctx, r, fmt);
  },
};
