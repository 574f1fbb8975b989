/**
 * What every subcommand shares: its definition, strict flag parsing with
 * `--help`, exit codes (SPEC §4), and printing results and errors.
 *
 * @module
 */
import { encode } from "../lib/codec/cbor_encode.ts";
import { encodeJson } from "../lib/codec/json_encode.ts";
import type { LogFormat } from "../lib/core/log.ts";
import { type CallResult, describe, type Failure, type Kind, type Value } from "../lib/result.ts";
import type { Runtime } from "../lib/runtime/types.ts";
import { terminalSafe, terminalSafeJson } from "./terminal.ts";
import { type OptionSpec, parseFlags } from "./args.ts";

export type { OptionSpec };

/** SPEC §4: the exit code of each result kind. */
export const EXIT = {
  ok: 0,
  exception: 1,
  undef: 1,
  noconnection: 3,
  timeout: 4,
  badarg: 2,
  unauthorized: 2,
} as const satisfies Record<Kind, number>;

/** A failure that ends the command: printed on stderr, then exit with `code`. */
export class CliError extends Error {
  override name = "CliError";
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

export interface Command {
  name: string;
  /** One line for `meshrpc help`. */
  summary: string;
  /** The full `--help` text (usage line first). */
  help: string;
  options: OptionSpec;
  run(ctx: Context): Promise<number>;
}

export interface Context {
  rt: Runtime;
  command: Command;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Flags that every subcommand accepts. */
export const COMMON: OptionSpec = { help: { type: "boolean", short: "h" } };

/**
 * Parses argv strictly for `command`. Throws CliError (exit 2) for unknown
 * flags or missing values, with the hint to run `--help`.
 */
export function parse(command: Command, args: string[]): Pick<Context, "values" | "positionals"> {
  try {
    return parseFlags(args, { ...COMMON, ...command.options });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun \`meshrpc ${command.name} --help\` for its usage.`, 2);
  }
}

/** A string flag's value, or undefined. */
export function str(ctx: Context, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === "string" ? v : undefined;
}

/** Parses a whole-number flag. Throws CliError (exit 2) when it is not one in [min, max]. */
export function int(ctx: Context, name: string, min: number, max: number): number | undefined {
  const text = str(ctx, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`, 2);
  }
  return n;
}

/** Throws CliError (exit 2) unless there are between min and max positionals. */
export function positionals(ctx: Context, min: number, max: number, what: string): string[] {
  const p = ctx.positionals;
  if (p.length < min || p.length > max) {
    throw new CliError(
      `${ctx.command.name} takes ${what}; got ${p.length === 0 ? "nothing" : p.map((a) => JSON.stringify(a)).join(" ")}\n` +
        `Usage: ${ctx.command.help.split("\n")[0]}`,
      2,
    );
  }
  return p;
}

/** `--log-format`: text (default) or json. Throws CliError (exit 2) for anything else. */
export function logFormat(ctx: Context): LogFormat {
  const f = str(ctx, "log-format") ?? "text";
  if (f !== "text" && f !== "json") throw new CliError(`--log-format must be text or json, not "${f}"`, 2);
  return f;
}

/**
 * How results are printed: `pretty` (indented JSON, the default of the
 * commands that print values), `json` (one compact line per result, for jq
 * and scripts), `text` (a string as is) or `cbor` (raw bytes).
 */
export type OutputFormat = "pretty" | "json" | "text" | "cbor";

/** `--format`, checked against what the command offers; the first is the default. */
export function format(ctx: Context, allowed: OutputFormat[]): OutputFormat {
  const f = str(ctx, "format") ?? allowed[0];
  if (!(allowed as string[]).includes(f)) {
    throw new CliError(`--format must be one of ${allowed.join(", ")}, not "${f}"`, 2);
  }
  return f as OutputFormat;
}

/** A value as the user asked: indented JSON (pretty), one JSON line (json), a string as is (text), or CBOR bytes. */
export function printValue(rt: Runtime, value: Value, fmt: OutputFormat): void {
  if (fmt === "cbor") return rt.stdoutBytes(encode(value));
  if (fmt === "text" && typeof value === "string") return rt.stdout(terminalSafe(value, { keepLines: true }));
  const json = encodeJson(value);
  const indent = fmt === "pretty" && typeof value === "object" && value !== null;
  rt.stdout(indent ? terminalSafeJson(JSON.parse(json), 2) : terminalSafeJson(JSON.parse(json)));
}

/** One node's result as one compact JSON line: `{"node": ..., "ok": value}` or `{"node": ..., "error": {...}}`. */
export function nodeResultJson(node: string, result: CallResult): string {
  return terminalSafeJson(JSON.parse(encodeJson(result.kind === "ok" ? { node, ok: result.value } : { node, error: result as unknown as Value })));
}

/** Prints a failure on stderr (with the remote stack for exceptions); returns its exit code. */
export function printFailure(rt: Runtime, r: Failure, node?: string): number {
  const where = node && r.kind === "exception" ? ` on ${node}` : "";
  rt.stderr(`meshrpc: ${r.kind === "exception" ? "exception" + where + ": " : ""}${terminalSafe(describe(r))}`);
  if (r.kind === "exception" && r.stack) {
    rt.stderr(r.stack.split("\n").slice(1).map((l) => "  " + terminalSafe(l.trim())).join("\n"));
  }
  return EXIT[r.kind];
}

/** Prints a result's value, or its failure; returns the exit code. */
export function printResult(rt: Runtime, r: CallResult, fmt: OutputFormat, node?: string): number {
  if (r.kind !== "ok") return printFailure(rt, r, node);
  printValue(rt, r.value, fmt);
  return 0;
}
