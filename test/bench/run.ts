/**
 * `make bench`: every row of issue 8's table, meshrpc next to its reference
 * measured in the same run (Erlang/OTP's erpc and rpc:cast, run before and
 * after meshrpc's call rows and averaged; a bare HTTP server under wrk; a
 * compiled hello world, a bare client and erl_call; the same mesh of Erlang
 * nodes), printed as one table with the ratio
 * and the target, and written as JSON. Speed targets live here, never in
 * tests. A missing tool skips its rows with one note.
 *
 *   bun run test/bench/run.ts [--flavor binary|bun|deno] [--calls N] [--mesh 50,100]
 *                             [--json FILE] [--markdown]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { encode } from "../../lib/codec/cbor_encode.ts";
import { BINARY, Cluster, type Flavor, programOf, ROOT, sleep } from "../support/cluster.ts";
import { Erlang, erlangMissing, type ErlangRun, erlCallPath } from "./erlang.ts";
import { startBenchNodes } from "./bench_nodes.ts";
import { bareWebSocketFloor } from "./floor.ts";
import { bareServer, wrk, wrkMissing } from "./http.ts";
import { DEFAULT_CALLS, plan } from "./plan.ts";
import { erlangMeshOf } from "./erlang_mesh.ts";
import { type MeshFigures, meshOf } from "./mesh.ts";
import { Table, type Target } from "./table.ts";
import { cliFloor, helloWorld, idleRss, median, medianWallMs, rssOf } from "./wall.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: String(DEFAULT_CALLS) },
    flavor: { type: "string", default: "binary" },
    mesh: { type: "string", default: "50,100" },
    json: { type: "string", default: join(ROOT, "test/bench/out/bench.json") },
    markdown: { type: "boolean", default: false },
  },
});
const calls = Number(values.calls);
const flavor = values.flavor as Flavor;
if (!["binary", "bun", "deno"].includes(flavor)) throw new Error(`--flavor must be binary, bun or deno, got ${flavor}`);
const began = performance.now();
const elapsedS = () => (performance.now() - began) / 1000;
const work = mkdtempSync(join(tmpdir(), "mrpc-bench-"));
const table = new Table();
const log = (s: string) => console.error(`[${elapsedS().toFixed(0).padStart(3)} s] ${s}`);
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

// 1. Erlang first, while no meshrpc node competes for the cores; again after meshrpc's
// call rows, so that the machine's drift over the minutes between weighs on both sides.
const erlang = new Erlang(work);
let erl: ErlangRun | undefined;
let erlNote = erlangMissing() ?? "";
const erlRuns: Record<string, number>[] = [];
if (!erlNote) {
  log("Erlang references");
  try {
    erl = await erlang.run(calls);
    erlRuns.push(erl.rows);
  } catch (err) {
    erlNote = "failed (see stderr)";
    console.error(err);
  }
}
const atLeast = (bound: number): Target => ({ on: "ratio", op: "≥", bound });
/** An Erlang row: the mean of its runs. */
const ref = (key: string) => {
  const values = erlRuns.map((rows) => rows[key]).filter((v) => v !== undefined);
  return values.length > 0 ? values.reduce((x, y) => x + y) / values.length : null;
};
// The rows held to Erlang wait for its second run: [key, what, unit, meshrpc's figure, reference, target].
const versusErlang: [string, string, string, number, string, Target][] = [];

const cluster = new Cluster({ flavor });
let bareRss = 0;
try {
  log(`meshrpc ${flavor} nodes`);
  const { nodes: [a, , , d], run: bench } = await startBenchNodes(cluster);
  await sleep(1000);
  const idle = rssOf(d.pid);

  // The call rows and their warm-ups (plan.ts), the loops running inside a.
  for (const step of plan(calls)) {
    if (step.log) log(step.log);
    const answer = await bench<number>(step.fn, step.args);
    const row = step.row;
    if (!row) continue;
    const reference = row.reference === "erpc" && erl ? `erpc ${erl.otp}` : row.reference;
    versusErlang.push([row.key, row.what, row.unit, row.figure(answer), reference, atLeast(row.atLeast)]);
  }

  if (erl) {
    log("Erlang references, again");
    try {
      erlRuns.push((await erlang.again(calls)).rows);
    } catch (err) {
      // The first run's figures stand alone.
      console.error(err);
    }
  }
  for (const [key, what, unit, value, reference, target] of versusErlang) table.add(key, what, unit, value, reference, ref(key), target, erlNote);

  log("bare WebSocket floor");
  // Info rows: the same round trips with no meshrpc code, the runtime's own floor (floor.ts).
  const ws = `bare ${flavor === "deno" ? "Deno" : "Bun"} WebSocket`;
  const floor = await bareWebSocketFloor(flavor, work, calls);
  // Beside the row of `key`, as measured above.
  const floorRow = (key: string, floorKey: string, reference: string, value: number) => {
    const [, what, unit, figure] = versusErlang.find((row) => row[0] === key)!;
    table.add(floorKey, what, unit, figure, `${ws} ${reference}`, value);
  };
  floorRow("echo_small", "floor_small", "ping-pong", floor.pingPong);
  floorRow("multicall", "floor_multicall", "fan-out", floor.fanOut);

  log("HTTP");
  // The bare server is also the idle RSS reference: the same runtime serving HTTP, nothing else.
  const bare = await bareServer(flavor, cluster.cookie, work);
  try {
    await sleep(1000);
    bareRss = rssOf(bare.pid).rss;
    const noWrk = wrkMissing();
    const bareName = `bare ${flavor === "deno" ? "Deno" : "Bun"}.serve`;
    if (noWrk) table.add("http", "POST /rpc JSON rpc.echo, wrk -c64", "req/s", null, bareName, null, { on: "ratio", op: "≥", bound: 0.7 }, noWrk);
    else {
      const url = (port: number) => `http://127.0.0.1:${port}/rpc`;
      await wrk(url(a.port), cluster.cookie, 1);
      await wrk(url(bare.port), cluster.cookie, 1);
      // In turns, as the CLI row: the machine's speed drifts over seconds.
      const node: number[] = [];
      const ref: number[] = [];
      for (let i = 0; i < 5; i++) {
        node.push(await wrk(url(a.port), cluster.cookie, 2));
        ref.push(await wrk(url(bare.port), cluster.cookie, 2));
      }
      table.add("http", "POST /rpc JSON rpc.echo, wrk -c64", "req/s", median(node), bareName, median(ref), { on: "ratio", op: "≥", bound: 0.7 });
    }
  } finally {
    bare.stop();
  }

  log("CLI");
  const env = cluster.env({ MESHRPC_NODE: "a@localhost" });
  const erlCall = erlCallPath();
  const request = encode({ node: "a@localhost", module: "rpc", function: "echo", args: ["hello"] });
  const [cli, hello, floorMs, erlCallMs = null] = await medianWallMs([
    { argv: [...programOf(flavor), "call", "a@localhost", "rpc", "echo", "hello"], env },
    { argv: helloWorld(flavor, work), env },
    { argv: cliFloor(flavor, work, join(env.MESHRPC_RUNTIME_DIR, "a@localhost.sock"), request), env },
    ...(erl && erlCall ? [{ argv: [erlCall, "-c", erl.cookie, "-n", erl.peers[0], "-a", "meshbench echo [hello]"], env: erl.env }] : []),
  ], 21);
  const helloName = flavor === "binary" ? "compiled hello world" : `${flavor} run hello.ts`;
  table.add("cli", "`meshrpc call` wall time", "ms", cli, helloName, hello, { on: "ratio", op: "≤", bound: 1.5 });
  // Info: the runtime's floor, what the CLI cannot leave out (cli_floor.ts), and where it lies against the hello world.
  const floorNote = `(the floor is ${(floorMs / hello).toFixed(2)}× the hello world)`;
  table.add("cli_floor", "`meshrpc call` wall time", "ms", cli, "bare client: lstat, fetch on the socket", floorMs, undefined, floorNote);
  table.add("cli_erl_call", "`meshrpc call` wall time", "ms", cli, "erl_call", erlCallMs, undefined, erl ? (erlCall ? "" : "skipped (install erlang-dev: erl_call)") : erlNote);
  // The binary's row is taken at the end, in two page-cache states (idleRss).
  if (flavor !== "binary") table.add("idle_rss", "idle node RSS", "MiB", idle.rss / 1048576, "idle bare server", bareRss / 1048576, { on: "value", op: "≤", bound: 40 }, `(anon ${mib(idle.anon)}, file ${mib(idle.file)})`);
} finally {
  await cluster.cleanup();
  await erlang.stop();
}

for (const size of values.mesh.split(",").filter(Boolean).map(Number)) {
  const key = `mesh_${size}`;
  const what = `mesh of ${size}: full after the last start`;
  const bound = { on: "value", op: "≤", bound: 1 } as const;
  if (size > 50 && elapsedS() > 330) {
    table.add(key, what, "s", null, "", null, bound, "skipped (time budget)");
    continue;
  }
  // The same mesh of Erlang nodes, started the same way (erlang_mesh.ts): the reference.
  let ref: MeshFigures | undefined;
  let refName = "";
  if (!erlNote) {
    log(`Erlang mesh of ${size}`);
    ref = await erlangMeshOf(size).catch((err) => void console.error(err));
    refName = ref ? `Erlang/OTP (start ${ref.startS.toFixed(1)} s)` : "Erlang/OTP: failed (see stderr)";
  }
  log(`mesh of ${size}`);
  try {
    const m = await meshOf(flavor, size);
    table.add(key, what, "s", m.fullMeshS, refName, ref?.fullMeshS ?? null, bound, `(start ${m.startS.toFixed(1)} s)`);
    const total = (f: MeshFigures) => f.startS + f.fullMeshS;
    table.add(`${key}_total`, `mesh of ${size}: first start to full mesh`, "s", total(m), ref ? "Erlang/OTP" : "", ref ? total(ref) : null);
  } catch (err) {
    // The table of everything measured so far matters more than this row.
    table.add(key, what, "s", null, refName, ref?.fullMeshS ?? null, bound, `failed: ${(err as Error).message}`);
  }
}
if (flavor === "binary") {
  log("idle RSS");
  const rows = { written: ["idle_rss", "idle node RSS, executable just written"], fromDisk: ["idle_rss_disk", "idle node RSS, executable read from disk"] };
  const bound = { on: "value", op: "≤", bound: 40 } as const;
  try {
    const idle = await idleRss(BINARY, work);
    const add = (state: "written" | "fromDisk", ref: number | null) =>
      table.add(rows[state][0], rows[state][1], "MiB", idle[state].rss / 1048576, ref ? "idle bare server" : "", ref, bound, `(anon ${mib(idle[state].anon)}, file ${mib(idle[state].file)})`);
    add("written", bareRss / 1048576);
    add("fromDisk", null);
  } catch (err) {
    for (const [key, label] of Object.values(rows)) table.add(key, label, "MiB", null, "", null, bound, `failed: ${(err as Error).message}`);
  }
}
rmSync(work, { recursive: true, force: true });

const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "?";
const machine = { nproc: navigator.hardwareConcurrency, cpu: cpuModel, ram_gib: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString(), flavor, otp: erl?.otp ?? null, bun: Bun.version };
console.log(`meshrpc bench, ${flavor}; ${machine.nproc} × ${cpuModel}, ${machine.ram_gib} GiB; ${machine.date}; ${elapsedS().toFixed(0)} s`);
console.log(table.format());
if (values.markdown) console.log("\n" + table.markdown());
mkdirSync(dirname(values.json), { recursive: true });
// Each Erlang run's figures too: the table gives their mean.
writeFileSync(values.json, JSON.stringify({ machine, rows: table.rows, erlang: erlRuns }, null, 2) + "\n");
console.log(`written to ${values.json}`);
