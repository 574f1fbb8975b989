/**
 * `make reliability`: the hardening suite (issue 7, "Done means"). Starts
 * compiled daemons (dist/meshrpc, from `make build`), runs each scenario,
 * prints one table and exits 1 when a figure breaks its bound.
 *
 *   bun run test/reliability/run.ts [--short] [--json FILE] [--only NAME,...] [--seed N]
 *
 * `--short` is the small version `make test` runs; `--only` takes scenario
 * names (preauth, fuzz, daemon-fuzz, callers, kill, sigterm, memory).
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { BINARY } from "../support/cluster.ts";
import { callersScenario } from "./callers.ts";
import { fuzzDaemonScenario } from "./fuzz_daemon.ts";
import { fuzzLocalScenario } from "./fuzz_local.ts";
import { cleanupAll } from "./harness.ts";
import { killScenario } from "./kill.ts";
import { memoryScenario } from "./memory.ts";
import { preauthScenario } from "./preauth.ts";
import { sigtermScenario } from "./sigterm.ts";
import { sizes, type Sizes } from "./sizes.ts";
import { type Row, table } from "./table.ts";

const USAGE = "usage: bun run test/reliability/run.ts [--short] [--json FILE] [--only NAME,...] [--seed N]";

type Scenario = { name: string; title: string; limitMs: number; run(s: Sizes, seed: number): Promise<Row[]> };

const SCENARIOS: Scenario[] = [
  { name: "preauth", title: "1 pre-auth sockets", limitMs: 120_000, run: preauthScenario },
  { name: "fuzz", title: "2a fuzz in-process", limitMs: 300_000, run: fuzzLocalScenario },
  { name: "daemon-fuzz", title: "2b fuzz daemon", limitMs: 120_000, run: fuzzDaemonScenario },
  { name: "callers", title: "3 HTTP callers", limitMs: 180_000, run: callersScenario },
  { name: "kill", title: "4 kill -9 under load", limitMs: 120_000, run: killScenario },
  { name: "sigterm", title: "5 SIGTERM with calls in flight", limitMs: 60_000, run: sigtermScenario },
  { name: "memory", title: "6 memory", limitMs: 400_000, run: memoryScenario },
];

interface Options {
  short: boolean;
  json?: string;
  only?: string[];
  seed: number;
}

/** Throws with the usage line for anything it does not know. */
function parseArgs(argv: string[]): Options {
  const o: Options = { short: false, seed: Date.now() % 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--short") o.short = true;
    else if (a === "--json") o.json = value();
    else if (a === "--seed") o.seed = Number(value());
    else if (a === "--only") o.only = value().split(",");
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const unknown = o.only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; pick from ${SCENARIOS.map((s) => s.name).join(", ")}`);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`--seed takes an integer\n${USAGE}`);
  return o;
}

/** Runs one scenario; an error or overrunning its time limit becomes a failed row. */
async function runOne(sc: Scenario, s: Sizes, seed: number, limitScale: number): Promise<Row[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limitMs = sc.limitMs * limitScale;
  const overrun = new Promise<Row[]>((resolve) => {
    timer = setTimeout(() => {
      resolve([{ scenario: sc.title, measure: "finished", value: `no, stopped after ${limitMs / 1000} s`, unit: "text", bound: "yes", verdict: "FAIL" }]);
    }, limitMs);
  });
  try {
    return await Promise.race([
      sc.run(s, seed).catch((err) => [{
        scenario: sc.title,
        measure: "finished",
        value: `no: ${String((err as Error)?.message ?? err).slice(0, 300)}`,
        unit: "text" as const,
        bound: "yes",
        verdict: "FAIL" as const,
      }]),
      overrun,
    ]);
  } finally {
    clearTimeout(timer);
    await cleanupAll();
  }
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (!existsSync(BINARY)) {
    console.error(`${BINARY} is missing: run \`make build\` first (or \`make reliability\`, which builds it)`);
    return 2;
  }
  process.on("SIGINT", () => void cleanupAll().finally(() => process.exit(130)));
  const s = sizes(o.short);
  const started = Date.now();
  const rows: Row[] = [];
  for (const sc of SCENARIOS) {
    if (o.only && !o.only.includes(sc.name)) continue;
    const t0 = Date.now();
    console.error(`reliability: ${sc.title} ...`);
    rows.push(...(await runOne(sc, s, o.seed, o.short ? 0.5 : 1)));
    console.error(`reliability: ${sc.title} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const failed = rows.filter((r) => r.verdict === "FAIL");
  console.log(table(rows));
  console.log(
    `\n${o.short ? "short" : "full"} run, seed ${o.seed}, ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
      (failed.length ? `${failed.length} bound(s) broken` : "every bound held"),
  );
  if (o.json) {
    mkdirSync(dirname(o.json), { recursive: true });
    writeFileSync(o.json, JSON.stringify({ mode: o.short ? "short" : "full", seed: o.seed, sizes: s, rows }, null, 2) + "\n");
  }
  return failed.length ? 1 : 0;
}

process.exit(await main());
