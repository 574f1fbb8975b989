/**
 * The `POST /rpc` row alone, repeated: a node (as `make bench` starts it) and
 * the bare server under wrk, interleaved `--rounds` times; medians of req/s
 * and of the server's CPU time per request (steadier than req/s on a shared
 * machine). Extra `--program PATH` binaries (an older dist/meshrpc) start
 * their own node on the same port mapper and join the rotation, so a change
 * is measured against the code before it under the same load.
 *
 *   bun run test/bench/http_ratio.ts [--flavor binary|bun|deno] [--rounds 5] [--seconds 5] [--program PATH]...
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Cluster, type Flavor, sleep, waitFor } from "../support/cluster.ts";
import { BENCH_MODULES } from "./bench_nodes.ts";
import { bareServer, wrk } from "./http.ts";
import { cpuMs, median } from "./wall.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    program: { type: "string", multiple: true, default: [] },
    flavor: { type: "string", default: "binary" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const work = mkdtempSync(join(tmpdir(), "mrpc-http-"));
const flavor = values.flavor as Flavor;
if (!["binary", "bun", "deno"].includes(flavor)) throw new Error(`--flavor must be binary, bun or deno, got ${flavor}`);
const cluster = new Cluster({ flavor });
const bareName = `bare ${flavor === "deno" ? "Deno" : "Bun"}.serve`;
const cpuSeconds = (pid: number) => cpuMs(pid) / 1000;

try {
  const modules = BENCH_MODULES;
  const targets: { name: string; port: number; pid: number }[] = [];
  const a = await cluster.start("a@localhost", { args: modules });
  targets.push({ name: `${flavor} node`, port: a.port, pid: a.pid });
  for (const [i, program] of values.program.entries()) {
    const name = `p${i}@localhost`;
    const proc = Bun.spawn([program, "start", "--sname", name, "--cookie", cluster.cookie, "--listen", "127.0.0.1", ...modules], {
      env: cluster.env(),
      stdout: "ignore",
      stderr: "pipe",
    });
    cluster.track(proc.pid);
    let log = "";
    void (async () => {
      for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) log += new TextDecoder().decode(chunk);
    })();
    const m = await waitFor(`${program} to start`, () => /\bstart node=\S+ port=(\d+)/.exec(log), 20_000);
    targets.push({ name: program, port: Number(m[1]), pid: proc.pid });
  }
  const bare = await bareServer(flavor, cluster.cookie, work);
  cluster.track(bare.pid);
  targets.push({ name: bareName, port: bare.port, pid: bare.pid });
  await sleep(1000);
  const url = (port: number) => `http://127.0.0.1:${port}/rpc`;
  const results = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  // CPU microseconds the server spent per request: steadier than req/s on a shared machine.
  const cpuPerRequest = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      await wrk(url(t.port), cluster.cookie, 1);
      const cpu = cpuSeconds(t.pid);
      const rps = await wrk(url(t.port), cluster.cookie, seconds);
      results.get(t.name)!.push(rps);
      cpuPerRequest.get(t.name)!.push((cpuSeconds(t.pid) - cpu) * 1e6 / (rps * seconds));
    }
    console.error(`round ${r + 1}: ${targets.map((t) => `${t.name} ${results.get(t.name)!.at(-1)!.toFixed(0)}`).join(", ")}`);
  }
  const bareMedian = median(results.get(bareName)!);
  for (const t of targets) {
    const xs = results.get(t.name)!;
    const m = median(xs);
    console.log(`${t.name.padEnd(28)} median ${m.toFixed(0).padStart(7)} req/s  (${xs.map((x) => x.toFixed(0)).join(" ")})  ratio ${(m / bareMedian).toFixed(2)}`);
  }
  const bareCpu = median(cpuPerRequest.get(bareName)!);
  for (const t of targets) {
    const m = median(cpuPerRequest.get(t.name)!);
    console.log(`${t.name.padEnd(28)} median ${m.toFixed(1).padStart(6)} CPU µs/request  (${cpuPerRequest.get(t.name)!.map((x) => x.toFixed(1)).join(" ")})  bare/this ${(bareCpu / m).toFixed(2)}`);
  }
  // Per-round ratio median: each round's pair ran under the same load.
  for (const t of targets.slice(0, -1)) {
    const per = results.get(t.name)!.map((x, i) => x / results.get(bareName)![i]);
    console.log(`${t.name.padEnd(28)} per-round ratio median ${median(per).toFixed(2)}  (${per.map((x) => x.toFixed(2)).join(" ")})`);
  }
} finally {
  await cluster.cleanup();
  rmSync(work, { recursive: true, force: true });
}
