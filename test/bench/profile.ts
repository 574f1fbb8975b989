/**
 * The profiles behind test/bench/PROFILE.md: two nodes run from source under
 * `bun --cpu-prof-md`, a load, then SIGTERM (the profile is written at exit).
 * Markdown profiles land in test/bench/out/prof/<scenario>/.
 *
 *   bun run test/bench/profile.ts echo1m|small|http|c64|cast|multi
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, sleep } from "../support/cluster.ts";
import { BENCH_MODULES } from "./bench_nodes.ts";
import { wrk } from "./http.ts";

const scenario = process.argv[2];
const LOADS: Record<string, [string, unknown[]]> = {
  echo1m: ["sequential", ["b@localhost", 300, 1048576]],
  small: ["sequential", ["b@localhost", 30_000]],
  c64: ["concurrent", ["b@localhost", 100_000, 64]],
  cast: ["casts", ["b@localhost", 100_000]],
  multi: ["multicalls", [["b@localhost", "c@localhost", "d@localhost"], 5_000]],
};
if (!(scenario in LOADS) && scenario !== "http") throw new Error("usage: profile.ts echo1m|small|http|c64|cast|multi");
const dir = join(ROOT, "test/bench/out/prof", scenario);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const cluster = new Cluster({ flavor: "bun" });
try {
  const modules = BENCH_MODULES;
  const prof = (name: string) => ({ BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${dir} --cpu-prof-name=${name}.md` });
  const a = await cluster.start("a@localhost", { args: modules, env: prof("caller") });
  await cluster.start("b@localhost", { args: modules, env: prof("callee") });
  if (scenario === "multi") {
    await cluster.start("c@localhost", { args: modules, env: prof("callee_c") });
    await cluster.start("d@localhost", { args: modules, env: prof("callee_d") });
  }
  if (scenario !== "http") {
    const [fn, args] = LOADS[scenario];
    const r = await cluster.rpc(a.port, { module: "Bench", function: fn, args, timeout: 600_000 });
    console.log(`Bench.${fn}(${JSON.stringify(args)}): ${JSON.stringify(r.body)}`);
  } else {
    console.log(`wrk: ${await wrk(`http://127.0.0.1:${a.port}/rpc`, cluster.cookie, 5)} req/s`);
  }
  for (const n of cluster.nodes) n.proc.kill("SIGTERM");
  await Promise.all(cluster.nodes.map((n) => Promise.race([n.proc.exited, sleep(10_000)])));
} finally {
  await cluster.cleanup();
}
console.log(`profiles in ${dir}`);
