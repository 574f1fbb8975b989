/**
 * The profiles behind test/bench/PROFILE.md: two nodes run from source under
 * `bun --cpu-prof-md`, a load, then SIGTERM (the profile is written at exit).
 * Markdown profiles land in test/bench/out/prof/<scenario>/.
 *
 *   bun run test/bench/profile.ts echo1m|http
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, sleep } from "../support/cluster.ts";
import { wrk } from "./http.ts";

const scenario = process.argv[2];
if (scenario !== "echo1m" && scenario !== "http") throw new Error("usage: profile.ts echo1m|http");
const dir = join(ROOT, "test/bench/out/prof", scenario);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const cluster = new Cluster({ flavor: "bun" });
try {
  const modules = ["--modules", join(ROOT, "test/bench/modules")];
  const prof = (name: string) => ({ BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${dir} --cpu-prof-name=${name}.md` });
  const a = await cluster.start("a@localhost", { args: modules, env: prof("caller") });
  await cluster.start("b@localhost", { args: modules, env: prof("callee") });
  if (scenario === "echo1m") {
    const r = await cluster.rpc(a.port, { module: "Bench", function: "sequential", args: ["b@localhost", 300, 1048576], timeout: 600_000 });
    console.log(`300 × 1 MiB echoes: ${JSON.stringify(r.body)} s`);
  } else {
    console.log(`wrk: ${await wrk(`http://127.0.0.1:${a.port}/rpc`, cluster.cookie, 5)} req/s`);
  }
  for (const n of cluster.nodes) n.proc.kill("SIGTERM");
  await Promise.all(cluster.nodes.map((n) => Promise.race([n.proc.exited, sleep(10_000)])));
} finally {
  await cluster.cleanup();
}
console.log(`profiles in ${dir}`);
