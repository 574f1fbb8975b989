/**
 * meshrpc as a user's project gets it: a project outside this repository
 * imports `{ startNode } from "meshrpc"`, starts a node, registers a module
 * and calls it, under Bun (from the npm tarball, installed by npm) and under
 * Deno (from the JSR package, linked by path). Also what `npm pack` and
 * `deno publish` would ship, and that the version is written in one place.
 *
 * Offline throughout: npm installs meshrpc, hono and cborg from tarballs
 * packed here (`hono` and `cborg` from this checkout's node_modules), and the
 * Deno project uses this checkout's node_modules for the npm packages that a
 * JSR install would fetch.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, DENO, ROOT } from "../support/cluster.ts";

setDefaultTimeout(60_000);

const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const DENO_JSON = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string[], cwd: string, env: Record<string, string> = {}): Ran {
  const p = Bun.spawnSync(cmd, { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function ok(r: Ran, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const PERSON = `export function say_hello(other: string): string {
  return \`Hello, \${other}!\`;
}
`;

/** The user's program: a node that serves Person and calls it through the mesh API. */
const APP = `import { startNode } from "meshrpc";
import * as Person from "./Person.ts";

const node = await startNode({ name: "consumer@localhost", cookie: "package-test", listen: "127.0.0.1", epmd: false });
node.register("Person", Person);
const greeting = await node.call<string>(node.name, "Person", "say_hello", ["hoge@localhost"]);
console.log(JSON.stringify({ greeting, runtime: "Deno" in globalThis ? "deno" : "bun" }));
await node.stop();
`;

const TYPED = `import { startNode } from "meshrpc";

const node = await startNode({ name: "typed@localhost", cookie: "package-test", epmd: false, control: false });
const greeting: Promise<string> = node.module<typeof import("./Person.ts")>(node.name, "Person").say_hello("hoge@localhost");
await greeting;
`;
const TYPED_WRONG = TYPED.replace('say_hello("hoge@localhost")', "say_hello(42)");

/** A project dir with the user's files. */
function project(base: string, name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "Person.ts"), PERSON);
  writeFileSync(join(dir, "app.ts"), APP);
  writeFileSync(join(dir, "typed.ts"), TYPED);
  writeFileSync(join(dir, "typed_wrong.ts"), TYPED_WRONG);
  return dir;
}

let base = "";
let bunProject = "";
let denoProject = "";
let packed: string[] = [];

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "meshrpc-package-"));
  const tarballs = join(base, "tarballs");
  mkdirSync(tarballs);
  const pack = ok(
    run(["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", tarballs, ROOT, join(ROOT, "node_modules/hono"), join(ROOT, "node_modules/cborg")], ROOT),
    "npm pack",
  );
  const [meshrpc, ...deps] = JSON.parse(pack) as { name: string; filename: string; files: { path: string }[] }[];
  packed = meshrpc.files.map((f) => f.path).sort();

  bunProject = project(base, "bun-project");
  const dependencies = Object.fromEntries([meshrpc, ...deps].map((p) => [p.name, `file:${join(tarballs, p.filename)}`]));
  writeFileSync(join(bunProject, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }));
  ok(run(["npm", "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], bunProject), "npm install");

  // What `deno add jsr:@meshrpc/meshrpc` gives, with the package linked by path instead of fetched.
  denoProject = project(base, "deno-project");
  writeFileSync(
    join(denoProject, "deno.json"),
    JSON.stringify({ links: [ROOT], imports: { meshrpc: `jsr:${DENO_JSON.name}@${DENO_JSON.version}` }, nodeModulesDir: "manual" }),
  );
  writeFileSync(
    join(denoProject, "package.json"),
    JSON.stringify({ private: true, dependencies: PKG.dependencies, devDependencies: { "@types/node": PKG.devDependencies["@types/node"] } }),
  );
  symlinkSync(join(ROOT, "node_modules"), join(denoProject, "node_modules"));
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("a Bun project that installed the npm package", () => {
  test("imports startNode from meshrpc, registers a module and calls it", () => {
    const runtimeDir = join(base, "run-bun");
    const out = ok(run([BUN, "run", "app.ts"], bunProject, { MESHRPC_RUNTIME_DIR: runtimeDir }), "bun run app.ts");
    expect(JSON.parse(out)).toEqual({ greeting: "Hello, hoge@localhost!", runtime: "bun" });
  });

  test("gets a meshrpc command that runs with Bun", () => {
    const env = { PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` };
    const out = ok(run([join(bunProject, "node_modules/.bin/meshrpc"), "--version"], bunProject, env), "meshrpc --version");
    expect(out).toStartWith(`meshrpc ${PKG.version} (bun `);
  });

  test("type-checks against the package's types", () => {
    ok(run([DENO, "check", "app.ts"], bunProject), "deno check app.ts");
  });
});

describe("a Deno project that uses the JSR package", () => {
  test("imports startNode from meshrpc, registers a module and calls it", () => {
    const runtimeDir = join(base, "run-deno");
    const out = ok(run([DENO, "run", "-A", "app.ts"], denoProject, { MESHRPC_RUNTIME_DIR: runtimeDir }), "deno run app.ts");
    expect(JSON.parse(out)).toEqual({ greeting: "Hello, hoge@localhost!", runtime: "deno" });
  });

  test("type-checks", () => {
    ok(run([DENO, "check", "app.ts"], denoProject), "deno check app.ts");
  });
});

describe("typed module calls", () => {
  test("a call through node.module type-checks, and a wrong argument type does not", () => {
    for (const dir of [bunProject, denoProject]) {
      ok(run([DENO, "check", "typed.ts"], dir), `deno check typed.ts in ${dir}`);
      const wrong = run([DENO, "check", "typed_wrong.ts"], dir);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain("Argument of type 'number' is not assignable to parameter of type 'string'");
    }
    // Four type checks: on a busy machine each can take well over ten seconds.
  }, 240_000);
});

describe("what is published", () => {
  test("npm pack ships the library, the command, README, LICENSE and package.json, and nothing else", () => {
    expect(packed.filter((p) => !/^(lib|cmd)\/.*\.ts$/.test(p))).toEqual(["LICENSE", "README.md", "package.json"]);
    expect(packed).toContain("lib/mod.ts");
    expect(packed).toContain("cmd/meshrpc.ts");
  });

  test("package.json's exports and bin name files the package ships", () => {
    expect(PKG.private).toBeUndefined();
    expect(PKG.exports["."]).toEqual({ types: "./lib/mod.ts", default: "./lib/mod.ts" });
    expect(packed).toContain(PKG.bin.meshrpc);
    expect(readFileSync(join(ROOT, PKG.bin.meshrpc), "utf8")).toStartWith("#!/usr/bin/env bun\n");
  });

  test("deno publish --dry-run passes (JSR's fast types, no --allow-slow-types) and lists only what a user needs", () => {
    const r = run([DENO, "publish", "--dry-run", "--allow-dirty"], ROOT, { NO_COLOR: "1" });
    ok(r, "deno publish --dry-run");
    // Deno lists the files on stderr.
    const out = r.stdout + r.stderr;
    const prefix = `file://${ROOT}/`;
    const files = out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).split(" ")[0]);
    expect(files.filter((p) => !/^(lib|cmd)\/.*\.ts$/.test(p)).sort()).toEqual(["LICENSE", "README.md", "deno.json", "package.json"]);
    expect(files).toContain("lib/mod.ts");
  });

  test("the version is written once, in package.json; deno.json agrees", async () => {
    const { VERSION } = await import("../../lib/version.ts");
    expect(VERSION).toBe(PKG.version);
    expect(DENO_JSON.version).toBe(PKG.version);
  });
});
