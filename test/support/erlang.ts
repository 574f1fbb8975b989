/**
 * Running real Erlang from tests: whether `erl` is installed, and a helper
 * that evaluates an expression in a fresh `erl -noshell` and returns what it
 * printed. CI sets MESHRPC_REQUIRE_ERLANG=1 (`.ci/run`), so there a missing
 * `erl` fails instead of skipping.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function which(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** True when `erl` can run. Throws when it cannot and MESHRPC_REQUIRE_ERLANG=1. */
export function hasErlang(): boolean {
  const found = which("erl") && which("epmd");
  if (!found && process.env.MESHRPC_REQUIRE_ERLANG === "1") {
    throw new Error("MESHRPC_REQUIRE_ERLANG=1 but erl/epmd are not installed: apt-get install -y erlang-nox elixir");
  }
  return found;
}

/** The one line a skipped Erlang test prints. */
export function skipNote(what: string): void {
  if (!which("erl")) {
    console.log(`skipped ${what}: erl is not installed (apt-get install -y erlang-nox elixir, then make test)`);
  }
}

// Reads the expressions from a file: a command line holds at most 128 KiB per argument.
const EVAL_FILE = "{ok, B} = file:read_file(os:getenv(\"MESHRPC_ERL_EXPRS\")), " +
  "{ok, T, _} = erl_scan:string(binary_to_list(B)), {ok, E} = erl_parse:parse_exprs(T), " +
  "erl_eval:exprs(E, []), halt().";

/**
 * Evaluates `body` (Erlang expressions, comma-separated, ASCII) in
 * `erl -noshell` and returns its stdout. Throws with stderr when erl exits
 * non-zero.
 */
export function runErlang(body: string, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "meshrpc-erl-"));
  const file = join(dir, "exprs.erl");
  writeFileSync(file, `${body}.\n`);
  try {
    return execFileSync("erl", ["-noshell", "-eval", EVAL_FILE], {
      encoding: "utf8",
      // No erl_crash.dump in the working directory when an expression fails.
      env: { ...process.env, ERL_CRASH_DUMP_SECONDS: "0", ...env, MESHRPC_ERL_EXPRS: file },
      maxBuffer: 64 << 20,
      timeout: 30_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An Erlang string literal of `s` (ASCII and UTF-8 alike). */
export function erlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Runs a program without blocking the event loop (a server in this process
 * may be what it talks to) and resolves its stdout; rejects with its stderr
 * when it fails or runs over `timeoutMs`.
 */
export function runAsync(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `runErlang` for expressions that talk to a server in this process (no file: short bodies only). */
export function runErlangAsync(body: string, env: Record<string, string> = {}): Promise<string> {
  return runAsync("erl", ["-noshell", "-eval", `${body}, halt().`], { ERL_CRASH_DUMP_SECONDS: "0", ...env });
}
