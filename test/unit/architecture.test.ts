/**
 * STYLE.md's dependency rules, enforced by reading the source: which folder
 * may import which, where `Bun.`/`Deno.`/`node:*` may appear, and how long a
 * file may grow. Imports come from Deno's own module graph (`deno info
 * --json`), so comments, strings and `import type` are read by a real parser.
 * Each rule lists every offending file and import, so a failure says what to
 * move.
 */
import { describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(import.meta.dir, "..", "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");

/**
 * The one written order of lib/ and cmd/, low to high. A folder may import
 * folders of lower ranks only: not its siblings of the same rank, not higher
 * ones. `rpc` may use `distribution` because it is ranked above it;
 * `distribution` and `epmd` are siblings and may not import each other.
 * "ground" is lib/result.ts, lib/version.ts and lib/core/.
 */
const ORDER: readonly (readonly string[])[] = [
  ["ground"],
  ["codec"],
  ["runtime"],
  ["distribution", "epmd", "erlang"],
  ["rpc"],
  ["http", "control", "dashboard"],
  ["node"],
  ["lib/mod.ts"],
  ["cmd"],
];

const MAX_LINES = 300;

/** One import of a file, as Deno's module graph reports it. */
interface Import {
  specifier: string;
  /** The imported file relative to `root` (`lib/rpc/caller.ts`), for files under it; else undefined. */
  to?: string;
  /** 1-based line of the import. */
  line: number;
  dynamic: boolean;
  typeOnly: boolean;
}

interface SourceFile {
  /** Relative to the repository root, with "/" separators: `lib/rpc/caller.ts`. */
  path: string;
  text: string;
  imports: Import[];
}

interface DenoDependency {
  specifier: string;
  code?: { specifier?: string; span: { start: { line: number } } };
  type?: { specifier?: string; span: { start: { line: number } } };
  isDynamic?: boolean;
}

function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return walk(root, rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/**
 * Reads the imports of every .ts file under `dirs` of `root` with one `deno
 * info --json` run, over a throwaway root module that imports them all (deno
 * info takes one root). `import()` of a computed path is not in the graph:
 * see `computedImports`.
 */
function readSources(root: string, dirs: string[]): SourceFile[] {
  const paths = dirs.flatMap((d) => walk(root, d)).sort();
  const tmp = mkdtempSync(join(tmpdir(), "meshrpc-arch-"));
  try {
    const entry = join(tmp, "all.ts");
    writeFileSync(entry, paths.map((p) => `import "${pathToFileURL(join(root, p)).href}";\n`).join(""));
    const out = execFileSync(DENO, ["info", "--json", "--config", join(ROOT, "deno.json"), entry], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    const graph = JSON.parse(out) as { modules: { specifier: string; dependencies?: DenoDependency[] }[] };
    const deps = new Map(graph.modules.map((m) => [m.specifier, m.dependencies ?? []]));
    const rel = (url: string | undefined) => {
      if (!url?.startsWith("file:")) return undefined;
      const abs = fileURLToPath(url);
      return abs.startsWith(root + "/") ? abs.slice(root.length + 1) : undefined;
    };
    return paths.map((path) => ({
      path,
      text: readFileSync(join(root, path), "utf8"),
      imports: (deps.get(pathToFileURL(join(root, path)).href) ?? []).map((d) => ({
        specifier: d.specifier,
        to: rel(d.code?.specifier ?? d.type?.specifier),
        line: (d.code ?? d.type)!.span.start.line + 1,
        dynamic: d.isDynamic === true,
        typeOnly: d.code === undefined,
      })),
    }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const FILES: SourceFile[] = readSources(ROOT, ["lib", "cmd"]);

/** The folder of the order a file belongs to, or undefined when it has none. */
function folderOf(path: string): string | undefined {
  if (path === "lib/result.ts" || path === "lib/version.ts" || path.startsWith("lib/core/")) return "ground";
  if (path === "lib/mod.ts") return "lib/mod.ts";
  if (path.startsWith("cmd/")) return "cmd";
  const m = /^lib\/([^/]+)\//.exec(path);
  return m && ORDER.some((rank) => rank.includes(m[1])) ? m[1] : undefined;
}

function rankOf(folder: string): number {
  return ORDER.findIndex((rank) => rank.includes(folder));
}

interface FolderEdge {
  from: string;
  to: string;
  /** Where: `lib/rpc/caller.ts:9 imports lib/distribution/link.ts`. */
  where: string;
}

/** Every import from one folder of the order into another. */
function folderEdges(files = FILES): FolderEdge[] {
  return files.flatMap((f) =>
    f.imports.flatMap((imp) => {
      const from = folderOf(f.path);
      const to = imp.to && folderOf(imp.to);
      if (!from || !to || from === to) return [];
      return [{ from, to, where: `${f.path}:${imp.line} imports ${imp.to}${imp.typeOnly ? " (type only)" : ""}` }];
    })
  );
}

/** Imports against ORDER, as readable lines. */
function orderViolations(files = FILES): string[] {
  return folderEdges(files).flatMap((e) => {
    const a = rankOf(e.from);
    const b = rankOf(e.to);
    if (b < a) return [];
    const why = b === a ? `${e.from} and ${e.to} are siblings` : `${e.to} is above ${e.from}`;
    return [`${e.where}: ${why} in the order`];
  });
}

/** Folder-level cycles (each as `a -> b -> a`), found by depth-first search over the folder graph. */
function folderCycles(files = FILES): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of folderEdges(files)) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const cycles = new Set<string>();
  const visit = (folder: string, path: string[]) => {
    for (const to of next.get(folder) ?? []) {
      const at = path.indexOf(to);
      if (at >= 0) {
        const loop = path.slice(at);
        // One spelling per cycle: start it at its smallest folder name.
        const start = loop.indexOf([...loop].sort()[0]);
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.add([...canonical, canonical[0]].join(" -> "));
      } else visit(to, [...path, to]);
    }
  };
  for (const folder of next.keys()) visit(folder, [folder]);
  return [...cycles].sort();
}

const NODE_BUILTINS = new Set(builtinModules);

function isRuntimeSpecific(specifier: string): boolean {
  return specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0]) || specifier === "bun" ||
    specifier.startsWith("bun:") || specifier.startsWith("jsr:") || specifier.startsWith("npm:") || specifier === "deno" ||
    specifier.startsWith("deno:");
}

const inRuntime = (path: string) => path.startsWith("lib/runtime/");

/**
 * The code of a file, line by line, without comments: block comments and
 * `//` comments that start a line or follow whitespace. A regular expression
 * is no parser: a string that contains " //" loses its tail (a use after it
 * goes unseen) and a string that contains "Bun." counts as a use. Both are
 * rare enough in lib/ to be fixed by hand when they happen.
 */
function codeLines(text: string): string[] {
  const noBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
  return noBlocks.split("\n").map((line) => line.replace(/(^|\s)\/\/.*$/, "$1"));
}

/** Uses of the runtime-specific APIs outside lib/runtime/, as readable lines. */
function runtimeLeaks(files = FILES): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (inRuntime(f.path)) continue;
    for (const imp of f.imports) {
      if (isRuntimeSpecific(imp.specifier)) out.push(`${f.path}:${imp.line} imports "${imp.specifier}"`);
    }
    codeLines(f.text).forEach((line, i) => {
      for (const m of line.matchAll(/(?<![\w$])(Bun|Deno)\s*\??\.(?=\s*[\w$])/g)) {
        out.push(`${f.path}:${i + 1} uses ${m[1]}. (${line.trim()})`);
      }
    });
  }
  return out;
}

/**
 * Lines with an `import(` that the module graph does not list: a computed
 * path. Counted per file, so a file with one literal and one computed
 * `import()` reports every `import(` line. Deno expands a template with a
 * literal prefix (`./${x}.ts`) into an edge to each file it can match; such
 * an import counts as literal here, and its edges are checked like any other.
 */
function computedImports(files = FILES): string[] {
  return files.flatMap((f) => {
    const lines = codeLines(f.text).flatMap((line, i) => (/(?<![\w$.])import\s*\(/.test(line) ? [i + 1] : []));
    const literal = f.imports.filter((i) => i.dynamic).length;
    return lines.length > literal ? lines.map((line) => `${f.path}:${line}`) : [];
  });
}

/** Files other than lib/runtime/mod.ts that load bun.ts/deno.ts, or loads of them that are not lazy. */
function adapterLoads(files = FILES): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const imp of f.imports) {
      if (imp.to !== "lib/runtime/bun.ts" && imp.to !== "lib/runtime/deno.ts") continue;
      if (f.path !== "lib/runtime/mod.ts") out.push(`${f.path}:${imp.line} imports ${imp.to}: only lib/runtime/mod.ts may load it`);
      else if (!imp.dynamic && !imp.typeOnly) out.push(`${f.path}:${imp.line} imports ${imp.to} statically: load it with await import()`);
    }
  }
  return out;
}

const FORBIDDEN_PACKAGES = ["hono/bun", "hono/deno"];

function declaredPackages(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  return new Set(Object.keys(pkg.dependencies ?? {}));
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Imports of hono's runtime barrels, and of packages that package.json does not depend on. */
function packageViolations(files = FILES, declared = declaredPackages()): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const imp of f.imports) {
      const s = imp.specifier;
      if (s.startsWith(".") || s.startsWith("file:") || isRuntimeSpecific(s)) continue;
      if (FORBIDDEN_PACKAGES.some((p) => s === p || s.startsWith(p + "/"))) {
        out.push(`${f.path}:${imp.line} imports "${s}": it reads its runtime's global at import time; use lib/runtime/`);
      } else if (!declared.has(packageName(s))) {
        out.push(`${f.path}:${imp.line} imports "${s}", which package.json's dependencies do not list`);
      }
    }
  }
  return out;
}

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

describe("the import reader", () => {
  test("reads static, type-only and dynamic imports from Deno's graph, and ignores comments", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshrpc-arch-fixture-"));
    try {
      mkdirSync(join(dir, "lib", "a"), { recursive: true });
      writeFileSync(
        join(dir, "lib", "a", "a.ts"),
        [
          '// import { x } from "node:fs";',
          'import type { B } from "./b.ts";',
          '/* import("./c.ts") */ const url = "http://example.com/*";',
          'export { c } from "./c.ts";',
          'const late = await import("./d.ts");',
          "const computed = await import(late.name);",
          "export type { B };",
          "export { computed, url };",
        ].join("\n"),
      );
      writeFileSync(join(dir, "lib", "a", "b.ts"), "export type B = 1;\n");
      writeFileSync(join(dir, "lib", "a", "c.ts"), "export const c = 1;\n");
      writeFileSync(join(dir, "lib", "a", "d.ts"), 'export const name = "./c.ts";\n');
      const files = readSources(dir, ["lib"]);
      const a = files.find((f) => f.path === "lib/a/a.ts")!;
      expect(a.imports.map((i) => [i.specifier, i.to, i.line, i.typeOnly, i.dynamic])).toEqual([
        ["./b.ts", "lib/a/b.ts", 2, true, false],
        ["./c.ts", "lib/a/c.ts", 4, false, false],
        ["./d.ts", "lib/a/d.ts", 5, false, true],
      ]);
      // The graph has no edge for the computed import, so every import( line of the file is listed.
      expect(computedImports(files)).toEqual(["lib/a/a.ts:5", "lib/a/a.ts:6"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("finds every .ts file of lib/ and cmd/ and the imports of most", () => {
    expect(FILES.length).toBeGreaterThan(40);
    expect(FILES.some((f) => f.path === "lib/runtime/mod.ts")).toBe(true);
    expect(FILES.some((f) => f.path === "cmd/meshrpc.ts")).toBe(true);
    expect(FILES.filter((f) => f.imports.length > 0).length).toBeGreaterThan(FILES.length / 2);
  });
});

describe("the dependency rules of STYLE.md", () => {
  test("every file under lib/ and cmd/ belongs to a folder of the order", () => {
    expect(FILES.filter((f) => folderOf(f.path) === undefined).map((f) => f.path)).toEqual([]);
  });

  test("every relative import names a file that exists", () => {
    const missing = FILES.flatMap((f) =>
      f.imports.filter((i) => i.specifier.startsWith(".") && !(i.to && existsSync(join(ROOT, i.to)))).map((i) =>
        `${f.path}:${i.line} imports ${i.specifier}`
      )
    );
    expect(missing).toEqual([]);
  });

  test(`folders import only lower ones in the order ${ORDER.map((r) => r.join(", ")).join(" < ")}`, () => {
    expect(orderViolations()).toEqual([]);
  });

  test("there is no import cycle between folders", () => {
    expect(folderCycles()).toEqual([]);
  });

  test("Bun., Deno. and node:* appear only under lib/runtime/", () => {
    expect(runtimeLeaks()).toEqual([]);
  });

  test("only lib/runtime/mod.ts loads bun.ts and deno.ts, and only lazily", () => {
    expect(adapterLoads()).toEqual([]);
    const mod = FILES.find((f) => f.path === "lib/runtime/mod.ts")!;
    const adapters = mod.imports.filter((i) => /\/(bun|deno)\.ts$/.test(i.specifier));
    expect(adapters.map((i) => [i.specifier, i.dynamic])).toEqual([["./bun.ts", true], ["./deno.ts", true]]);
  });

  test("hono/bun and hono/deno are never imported, and every package is a declared dependency", () => {
    expect(packageViolations()).toEqual([]);
  });

  test("import() of a computed path happens only where user modules are loaded", () => {
    expect(computedImports().filter((w) => !w.startsWith("lib/rpc/modules.ts:"))).toEqual([]);
  });
});

describe("file size", () => {
  test(`no file under lib/ or cmd/ is longer than ${MAX_LINES} lines`, () => {
    const long = FILES.filter((f) => lineCount(f.text) > MAX_LINES);
    expect(long.map((f) => `${f.path}: ${lineCount(f.text)} lines: split it along its jobs`)).toEqual([]);
  });
});

describe("the checks themselves catch violations", () => {
  const fake = (path: string, imports: [specifier: string, to?: string, typeOnly?: boolean, dynamic?: boolean][] = [], text = ""): SourceFile => ({
    path,
    text,
    imports: imports.map(([specifier, to, typeOnly = false, dynamic = false], i) => ({ specifier, to, line: i + 1, typeOnly, dynamic })),
  });

  test("imports of a higher folder, of a sibling and rpc -> distribution are told apart", () => {
    const files = [
      fake("lib/codec/x.ts", [["../distribution/mesh.ts", "lib/distribution/mesh.ts"]]),
      fake("lib/distribution/y.ts", [["../rpc/caller.ts", "lib/rpc/caller.ts", true]]),
      fake("lib/epmd/z.ts", [["../distribution/link.ts", "lib/distribution/link.ts"]]),
      fake("lib/rpc/ok.ts", [["../distribution/mesh.ts", "lib/distribution/mesh.ts", true]]),
      fake("lib/core/name.ts", [["../node/node.ts", "lib/node/node.ts"]]),
      fake("cmd/ok.ts", [["../lib/mod.ts", "lib/mod.ts"]]),
      fake("lib/http/w.ts", [["../control/server.ts", "lib/control/server.ts"]]),
    ];
    const v = orderViolations(files);
    expect(v).toEqual([
      "lib/codec/x.ts:1 imports lib/distribution/mesh.ts: distribution is above codec in the order",
      "lib/distribution/y.ts:1 imports lib/rpc/caller.ts (type only): rpc is above distribution in the order",
      "lib/epmd/z.ts:1 imports lib/distribution/link.ts: epmd and distribution are siblings in the order",
      "lib/core/name.ts:1 imports lib/node/node.ts: node is above ground in the order",
      "lib/http/w.ts:1 imports lib/control/server.ts: http and control are siblings in the order",
    ]);
  });

  test("a folder-level cycle is reported once, whatever file starts it", () => {
    const files = [
      fake("lib/rpc/a.ts", [["../distribution/b.ts", "lib/distribution/b.ts"]]),
      fake("lib/distribution/b.ts", [["../rpc/c.ts", "lib/rpc/c.ts"]]),
      fake("lib/rpc/c.ts", [["../node/d.ts", "lib/node/d.ts"]]),
      fake("lib/node/d.ts", [["../rpc/a.ts", "lib/rpc/a.ts"]]),
    ];
    expect(folderCycles(files)).toEqual(["distribution -> rpc -> distribution", "node -> rpc -> node"]);
  });

  test("a file outside every folder of the order is found", () => {
    expect(["lib/util.ts", "lib/misc/x.ts", "lib/core/x.ts", "test/x.ts"].map(folderOf)).toEqual([undefined, undefined, "ground", undefined]);
  });

  test("Bun./Deno. in code and node:* imports outside lib/runtime/ are reported, but not in comments", () => {
    const files = [
      fake("lib/http/x.ts", [], "// Bun.serve is in runtime/\nconst s = Bun.serve({});\n"),
      fake("cmd/y.ts", [["node:fs"], ["os"]]),
      fake("lib/rpc/z.ts", [], "const p = globalThis.Deno?.pid; /* Deno.exit() */\n/**\n * Deno.exit\n */\nconst u = 'http://x'; // Deno.exit\n"),
      fake("lib/runtime/ok.ts", [["node:fs"]], "Bun.serve({});\n"),
    ];
    expect(runtimeLeaks(files).map((l) => l.split(" ")[0])).toEqual(["lib/http/x.ts:2", "cmd/y.ts:1", "cmd/y.ts:2", "lib/rpc/z.ts:1"]);
  });

  test("a static or foreign load of an adapter, hono/deno and an undeclared package are reported", () => {
    const files = [
      fake("lib/runtime/mod.ts", [["./bun.ts", "lib/runtime/bun.ts"]]),
      fake("lib/node/node.ts", [["../runtime/deno.ts", "lib/runtime/deno.ts", false, true]]),
      fake("lib/http/app.ts", [["hono/deno"], ["left-pad"], ["hono/body-limit"]]),
    ];
    expect(adapterLoads(files)).toHaveLength(2);
    expect(packageViolations(files, new Set(["hono"]))).toHaveLength(2);
  });
});
