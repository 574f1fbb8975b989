/**
 * The mesh rows' Erlang reference: the same mesh of Erlang/OTP nodes on this
 * host, started as `meshOf` starts meshrpc's (a hub, then joiners `wave` at a
 * time, each wave once the one before runs, each joiner connecting to the
 * hub), every node running test/bench/erl/meshwatch.erl, which says when it
 * lists all the others. On its own epmd port; every node is stopped by pid.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT, sleep } from "../support/cluster.ts";
import type { MeshFigures } from "./mesh.ts";
import { runTool } from "./programs.ts";

interface ErlNode {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** When it printed `full` (os:system_time ms, comparable with Date.now()). */
  fullAt?: number;
}

/** Starts a mesh of `size` Erlang nodes; throws when it is not full 60 s after the last start. */
export async function erlangMeshOf(size: number, wave = 8): Promise<MeshFigures> {
  const dir = mkdtempSync(join(tmpdir(), "mrpc-erlmesh-"));
  // A port the kernel just had free: a random one in the ephemeral range can be taken by a connection.
  const epmdPort = String(await freePort());
  const env = { ...(process.env as Record<string, string>), ERL_EPMD_PORT: epmdPort, HOME: dir };
  const cookie = `mesh${crypto.randomUUID().slice(0, 8)}`;
  const nodes: ErlNode[] = [];
  let epmd: Bun.Subprocess | undefined;
  const start = (name: string, hub: string[]) => {
    const argv = ["erl", "-sname", name, "-setcookie", cookie, "-noshell", "-noinput", "-pa", dir, "-run", "meshwatch", "main", String(size), ...hub];
    const node: ErlNode = { proc: Bun.spawn(argv, { env, cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" }) };
    nodes.push(node);
    return watch(node, name);
  };
  try {
    await runTool(["erlc", "-o", dir, join(ROOT, "test/bench/erl/meshwatch.erl")], env, dir);
    // In the foreground, as a child stopped by pid like the nodes.
    epmd = Bun.spawn(["epmd", "-port", epmdPort], { env, stdout: "ignore", stderr: "pipe" });
    await epmdAnswers(env, dir, epmd);
    await start("hub@localhost", []);
    const t0 = Date.now();
    for (let i = 1; i < size; i += wave) {
      const names = Array.from({ length: Math.min(wave, size - i) }, (_, k) => `m${i + k}@localhost`);
      await Promise.all(names.map((n) => start(n, ["hub@localhost"])));
    }
    const last = Date.now();
    while (nodes.some((n) => n.fullAt === undefined)) {
      if (Date.now() - last > 60_000) throw new Error(`only ${nodes.filter((n) => n.fullAt).length} of ${size} Erlang nodes saw the full mesh after 60 s`);
      await sleep(20);
    }
    return { startS: (last - t0) / 1000, fullMeshS: Math.max(0, ...nodes.map((n) => n.fullAt! - last)) / 1000 };
  } finally {
    for (const n of nodes) n.proc.kill("SIGTERM");
    await Promise.all(nodes.map((n) => n.proc.exited));
    epmd?.kill("SIGTERM");
    await epmd?.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves once the epmd of `env` answers; throws with what it said when it exits first, or after 5 s. */
async function epmdAnswers(env: Record<string, string>, dir: string, epmd: Bun.Subprocess<"ignore", "ignore", "pipe">): Promise<void> {
  for (const t0 = Date.now(); ; await sleep(20)) {
    const ok = await runTool(["epmd", "-names"], env, dir).then(() => true, () => false);
    if (ok) return;
    if (epmd.exitCode !== null) {
      throw new Error(`epmd on port ${env.ERL_EPMD_PORT} exited ${epmd.exitCode}: ${(await new Response(epmd.stderr).text()).trim()}`);
    }
    if (Date.now() - t0 > 5000) throw new Error(`epmd on port ${env.ERL_EPMD_PORT} did not start`);
  }
}

/** Erlang nodes start within this long even on a busy machine (a BEAM takes ~0.5 CPU s). */
const START_MS = 30_000;

/**
 * Resolves once `node` prints `ready`, and records its `full` line; rejects
 * when it exits before, or is stopped after START_MS without saying it runs.
 */
async function watch(node: ErlNode, name: string): Promise<void> {
  const reader = node.proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const slow = setTimeout(() => node.proc.kill("SIGTERM"), START_MS);
  try {
    while (!text.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) {
        const err = await new Response(node.proc.stderr).text();
        throw new Error(`Erlang node ${name} exited before it ran (or took over ${START_MS / 1000} s): ${text}${err}`);
      }
      text += value;
    }
  } finally {
    clearTimeout(slow);
  }
  (async () => {
    for (;;) {
      const full = /full (\d+)/.exec(text);
      if (full) node.fullAt = Number(full[1]);
      const { value, done } = await reader.read();
      if (done || full) return;
      text += value;
    }
  })().catch(() => {
    // The node was stopped: a node that never said `full` fails the wait in erlangMeshOf.
  });
}
