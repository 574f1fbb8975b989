/**
 * Scenario 2a: the in-process fuzz of the frame decoder, a `Link` and the
 * acceptor side of the handshake, run by fuzz_worker.ts in its own process.
 *
 * @module
 */
import { join } from "node:path";
import { BUN } from "../support/cluster.ts";
import { BOUNDS, type Sizes } from "./sizes.ts";
import { type Row, Rows } from "./table.ts";

export async function fuzzLocalScenario(s: Sizes, seed: number): Promise<Row[]> {
  const rows = new Rows("2a fuzz in-process");
  const proc = Bun.spawn([BUN, "run", join(import.meta.dir, "fuzz_worker.ts"), String(s.fuzzInputs), String(seed)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 300_000);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  const line = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) {
    rows.check("the fuzz worker finished", false, `exit ${code}: ${(err || out).trim().slice(-300)}`);
    return rows.rows;
  }
  const r = JSON.parse(line);
  const crashes = r.crashes.decoder + r.crashes.link + r.crashes.handshake + r.crashes.unhandled;
  rows.atLeast("inputs (each into the decoder)", r.inputs, s.fuzzInputs);
  rows.info("of which also into a Link", r.linkInputs);
  rows.info("of which also into the acceptor handshake", r.handshakeInputs);
  rows.atMost("crashes (escaping exceptions, unhandled rejections)", crashes, 0);
  if (crashes > 0) {
    const c = r.crashes;
    rows.info("crashes by target", `decoder ${c.decoder}, link ${c.link}, handshake ${c.handshake}, unhandled ${c.unhandled}`, "text");
  }
  rows.atMost("decoder errors that are TypeError/RangeError inside a FrameError", r.internal, 0);
  rows.atMost("handshakes never settled", r.unsettled, 0);
  rows.info("links taken down by an input / still up", `${r.linkDown} / ${r.linkUp}`, "text");
  rows.atMost("fuzzing process RSS peak", r.rssPeak, BOUNDS.loadRss, "bytes");
  rows.info(`time (seed ${seed})`, r.ms, "ms");
  for (const sample of r.samples) rows.info("sample", sample, "text");
  return rows.rows;
}
