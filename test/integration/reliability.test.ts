import { expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, ROOT } from "../support/cluster.ts";

// The short version of `make reliability` (test/reliability/README.md): every scenario, smaller.
test("the short reliability suite holds every bound", async () => {
  const proc = Bun.spawn([BUN, "run", join(ROOT, "test/reliability/run.ts"), "--short"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  if (code !== 0) console.error(`${err}\n${out}`);
  expect(code).toBe(0);
}, 400_000);
