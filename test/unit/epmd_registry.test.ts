import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogLimit } from "../../lib/core/log_limit.ts";
import type { Fields } from "../../lib/core/log.ts";
import { logRefusal } from "../../lib/epmd/accept.ts";
import { randomToken, Registry, TOKEN_RULE } from "../../lib/epmd/registry.ts";
import { readState, stateFileProblem, StateWriter } from "../../lib/epmd/state.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";

const rt = await loadRuntime();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "epmd-state-"));
  dirs.push(d);
  return d;
}

describe("registration tokens", () => {
  test("are 128 random bits that the token rule accepts", () => {
    const a = randomToken();
    expect(TOKEN_RULE.test(a)).toBe(true);
    expect(a).toHaveLength(22);
    expect(randomToken()).not.toBe(a);
  });

  test("come with every claim, a new one for a name nobody reserved", () => {
    let n = 0;
    const r = new Registry({ newToken: () => `token-number-${++n}-xxxxxx` });
    const first = r.claim({ name: "hoge", port: 4001 }, "forged-token-0000000");
    expect(first.kind === "ok" && first.token).toBe("token-number-1-xxxxxx");
  });
});

describe("a reserved name", () => {
  const setup = () => {
    let now = 1000;
    const r = new Registry({ now: () => now, newToken: () => "fresh-token-00000000" });
    r.reserve({ name: "hoge", token: "the-owners-token-0000" }, 11_000);
    return { r, at: (ms: number) => (now = ms) };
  };

  test("is refused to a registration without the owner's token, saying for how long", () => {
    const { r } = setup();
    expect(r.claim({ name: "hoge", port: 9 })).toEqual({ kind: "reserved", leftMs: 10_000 });
    expect(r.claim({ name: "hoge", port: 9 }, "wrong-token-000000000")).toEqual({ kind: "reserved", leftMs: 10_000 });
    expect(r.get("hoge")).toBeUndefined();
  });

  test("goes to the owner's token, which the owner keeps", () => {
    const { r } = setup();
    const c = r.claim({ name: "hoge", port: 4001, pid: 77 }, "the-owners-token-0000");
    expect(c).toEqual({ kind: "ok", entry: { name: "hoge", port: 4001, pid: 77 }, token: "the-owners-token-0000" });
    expect(r.holdings()).toEqual([{ name: "hoge", token: "the-owners-token-0000", pid: 77 }]);
  });

  test("is free for anyone once the reservation is over", () => {
    const { r, at } = setup();
    at(11_000);
    const c = r.claim({ name: "hoge", port: 9 });
    expect(c.kind === "ok" && c.token).toBe("fresh-token-00000000");
    expect(r.holdings()).toEqual([{ name: "hoge", token: "fresh-token-00000000", pid: undefined }]);
  });

  test("does not hold other names, and counts among the holdings until it ends", () => {
    const { r, at } = setup();
    expect(r.claim({ name: "fuga", port: 4002 }).kind).toBe("ok");
    expect(r.holdings().map((h) => h.name).sort()).toEqual(["fuga", "hoge"]);
    at(20_000);
    expect(r.holdings().map((h) => h.name)).toEqual(["fuga"]);
  });

  test("is not taken from a live holder, even by the holder's own token", () => {
    const r = new Registry({ newToken: () => "held-token-000000000" });
    r.claim({ name: "hoge", port: 4001 });
    const c = r.claim({ name: "hoge", port: 4009 }, "held-token-000000000");
    expect(c).toEqual({ kind: "taken", holder: { name: "hoge", port: 4001 } });
  });
});

describe("the runtime's process check", () => {
  test("finds this process and init (another user's, to most), and not a pid that cannot exist", () => {
    expect(rt.processExists(rt.pid)).toBe(true);
    expect(rt.processExists(1)).toBe(true);
    expect(rt.processExists(999_999_999)).toBe(false);
    expect(rt.processExists(0)).toBe(false);
  });
});

describe("refusal log lines", () => {
  test("are limited per source and overall, and the next one says how many were left out", () => {
    let now = 0;
    const lines: Fields[] = [];
    const ctx = {
      log: { info() {}, warn: (_e: string, f?: Fields) => lines.push(f ?? {}), error() {} },
      refusals: new LogLimit({ burst: 2, perSecond: 1, now: () => now }),
      allRefusals: new LogLimit({ burst: 3, perSecond: 1, now: () => now }),
    };
    for (let i = 0; i < 5; i++) logRefusal(ctx, "127.0.0.2", { reason: "r" });
    expect(lines.length).toBe(2);
    for (let i = 3; i < 9; i++) logRefusal(ctx, `127.0.0.${i}`, { reason: "r" });
    expect(lines.length).toBe(3);
    now = 1000;
    logRefusal(ctx, "127.0.0.2", { reason: "r" });
    expect(lines.at(-1)).toEqual({ remote: "127.0.0.2", reason: "r", suppressed: 3, suppressed_all: 5 });
  });
});

describe("the state file", () => {
  test("keeps the latest holdings with mode 0600 and reads them back", async () => {
    const path = join(tmp(), "epmd.state");
    const failures: unknown[] = [];
    const w = new StateWriter(rt, path, (e) => failures.push(e));
    w.save(() => [{ name: "hoge", token: "aaaaaaaaaaaaaaaaaaaa" }]);
    w.save(() => [{ name: "hoge", token: "aaaaaaaaaaaaaaaaaaaa", pid: 42 }, { name: "fuga", token: "bbbbbbbbbbbbbbbbbbbb" }]);
    await w.flush();
    expect(failures).toEqual([]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readState(rt, path)).toEqual([
      { name: "hoge", token: "aaaaaaaaaaaaaaaaaaaa", pid: 42 },
      { name: "fuga", token: "bbbbbbbbbbbbbbbbbbbb" },
    ]);
    expect(await stateFileProblem(rt, path)).toBeUndefined();
  });

  test("is empty when missing, and its bad entries are skipped", async () => {
    const d = tmp();
    expect(await readState(rt, join(d, "none"))).toEqual([]);
    const path = join(d, "epmd.state");
    const names = [
      { name: "ok", token: "cccccccccccccccccccc" },
      { name: "bad name", token: "cccccccccccccccccccc" },
      { name: "short", token: "x" },
      { name: "badpid", token: "cccccccccccccccccccc", pid: -1 },
    ];
    writeFileSync(path, JSON.stringify({ service: "meshrpc-epmd", names }), { mode: 0o600 });
    expect(await readState(rt, path)).toEqual([{ name: "ok", token: "cccccccccccccccccccc" }]);
    writeFileSync(path, "{}");
    await expect(readState(rt, path)).rejects.toThrow("is not a port mapper state file");
  });

  test("is not used when it is a symbolic link or others can read it", async () => {
    const d = tmp();
    const link = join(d, "link.state");
    symlinkSync(join(d, "elsewhere"), link);
    expect(await stateFileProblem(rt, link)).toBe(`${link} is a symbolic link: remove it`);
    const open = join(d, "open.state");
    writeFileSync(open, "{}", { mode: 0o644 });
    expect(await stateFileProblem(rt, open)).toContain("can be read by others (mode 644)");
  });
});
