/**
 * STYLE.md's dependency rules, enforced by reading the source: which file
 * may import which, where `Bun.`/`Deno.`/`node:*` may appear, and how long a
 * file may grow. Each rule lists every offending file and import, so a
 * failure says what to move.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, normalize } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

/** Source text with comments blanked out, and the same again with string contents blanked too. */
interface Stripped {
  /** Comments replaced by spaces; strings kept (for import specifiers). */
  code: string;
  /** Comments and the text of string and template literals replaced by spaces (for identifiers). */
  bare: string;
}

const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/**
 * Blanks comments (and, in `bare`, literal text) with a small scanner that
 * knows strings, templates with `${}` nesting and regular expression
 * literals, so that `"http://x"` or `/\/\*\/` are not taken for comments.
 * Newlines are kept, so offsets and line numbers stay those of the file.
 */
function stripComments(src: string): Stripped {
  const code = src.split("");
  const bare = src.split("");
  const blank = (arr: string[], from: number, to: number) => {
    for (let k = from; k < to; k++) if (arr[k] !== "\n") arr[k] = " ";
  };
  // Each entry is the brace depth at which a template's `${` was opened.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  // The last significant character/word in code, to tell a regex from a division.
  let prev = "";
  const regexAllowed = () => prev === "" || /[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) || REGEX_AFTER_WORD.has(prev);

  const skipString = (quote: string): number => {
    let j = i + 1;
    while (j < src.length && src[j] !== quote && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  // From just after a "`" or a "}" that closes `${`, to just after the closing "`" or the next "${".
  const scanTemplateText = (from: number): { end: number; opensExpr: boolean } => {
    let j = from;
    while (j < src.length) {
      if (src[j] === "\\") j += 2;
      else if (src[j] === "`") return { end: j + 1, opensExpr: false };
      else if (src[j] === "$" && src[j + 1] === "{") return { end: j + 2, opensExpr: true };
      else j++;
    }
    return { end: j, opensExpr: false };
  };
  const afterTemplateText = (from: number) => {
    const { end, opensExpr } = scanTemplateText(from);
    blank(bare, from, opensExpr ? end - 2 : end - 1);
    if (opensExpr) templates.push(depth++);
    i = end;
    prev = opensExpr ? "{" : "`";
  };

  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? src.length : end;
      blank(code, i, stop);
      blank(bare, i, stop);
      i = stop;
    } else if (c === "/" && n === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? src.length : end + 2;
      blank(code, i, stop);
      blank(bare, i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      const end = skipString(c);
      blank(bare, i + 1, end - 1);
      i = end;
      prev = "'";
    } else if (c === "`") {
      afterTemplateText(i + 1);
    } else if (c === "}" && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      afterTemplateText(i + 1);
    } else if (c === "/" && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
        j++;
      }
      blank(bare, i + 1, j);
      i = j + 1;
      while (/[a-z]/.test(src[i] ?? "")) i++;
      prev = "/x/";
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (/[\w$]/.test(src[j] ?? "")) j++;
      prev = src.slice(i, j);
      i = j;
    } else {
      if (c === "{") depth++;
      if (c === "}") depth--;
      if (!/\s/.test(c)) prev = c;
      i++;
    }
  }
  return { code: code.join(""), bare: bare.join("") };
}

interface Import {
  specifier: string;
  line: number;
  dynamic: boolean;
  typeOnly: boolean;
}

const STATIC_FROM =
  /^[ \t]*(import|export)\s+(type\s+)?(?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)\s*from\s*(["'])([^"'\n]+)\3/gm;
const SIDE_EFFECT = /^[ \t]*import\s*(["'])([^"'\n]+)\1/gm;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'`])([^"'`\n]*)\1\s*[,)]/g;
const DYNAMIC_ANY = /(?<![\w$.])import\s*\(/g;

/** The import statements of a file (comments ignored), with dynamic `import()` of a literal specifier. */
function importsOf(code: string): Import[] {
  const lineAt = (offset: number) => code.slice(0, offset).split("\n").length;
  const found: Import[] = [];
  for (const m of code.matchAll(STATIC_FROM)) {
    found.push({ specifier: m[4], line: lineAt(m.index!), dynamic: false, typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(SIDE_EFFECT)) {
    found.push({ specifier: m[2], line: lineAt(m.index!), dynamic: false, typeOnly: false });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    if (m[1] === "`" && m[2].includes("${")) continue;
    found.push({ specifier: m[2], line: lineAt(m.index!), dynamic: true, typeOnly: false });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Lines with an `import(` whose argument is not a plain literal (a computed path). */
function computedImports(code: string): number[] {
  const literal = new Set([...code.matchAll(DYNAMIC)].filter((m) => !(m[1] === "`" && m[2].includes("${"))).map((m) => m.index));
  return [...code.matchAll(DYNAMIC_ANY)].filter((m) => !literal.has(m.index)).map((m) => code.slice(0, m.index).split("\n").length);
}

interface SourceFile {
  /** Relative to the repository root, with "/" separators: `lib/rpc/caller.ts`. */
  path: string;
  text: string;
  stripped: Stripped;
  imports: Import[];
}

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return walk(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

function load(path: string): SourceFile {
  const text = readFileSync(join(ROOT, path), "utf8");
  const stripped = stripComments(text);
  return { path, text, stripped, imports: importsOf(stripped.code) };
}

const FILES: SourceFile[] = [...walk("lib"), ...walk("cmd")].sort().map(load);

/** A relative specifier resolved to a repository path; undefined for packages and `node:*`. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  return normalize(join(dirname(from), specifier)).split("\\").join("/");
}

const NODE_BUILTINS = new Set(builtinModules);

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split("/")[0]);
}

function isRuntimeSpecific(specifier: string): boolean {
  return isNodeBuiltin(specifier) || specifier === "bun" || specifier.startsWith("bun:") || specifier.startsWith("jsr:") ||
    specifier.startsWith("npm:") || specifier === "deno" || specifier.startsWith("deno:");
}

const inRuntime = (path: string) => path.startsWith("lib/runtime/");

/**
 * The layers, low to high. A file may import files of its own layer and of
 * lower ones, never of higher ones. Within a layer, the directories named in
 * SIBLINGS are separate: one may import another only where listed.
 */
const LAYERS: { name: string; files: (path: string) => boolean }[] = [
  { name: "ground (result, version, core)", files: (p) => p === "lib/result.ts" || p === "lib/version.ts" || p.startsWith("lib/core/") },
  { name: "codec", files: (p) => p.startsWith("lib/codec/") },
  { name: "runtime", files: inRuntime },
  {
    name: "distribution, epmd, rpc",
    files: (p) => p.startsWith("lib/distribution/") || p.startsWith("lib/epmd/") || p.startsWith("lib/rpc/"),
  },
  { name: "edges (http, control)", files: (p) => p.startsWith("lib/http/") || p.startsWith("lib/control/") },
  { name: "node (the composition root)", files: (p) => p.startsWith("lib/node/") },
  { name: "library surface (lib/mod.ts)", files: (p) => p === "lib/mod.ts" },
  { name: "cmd", files: (p) => p.startsWith("cmd/") },
];

/** Which sibling directories of one layer may import which: `rpc` may use `dist`, never the reverse. */
const SIBLING_EDGES = new Set(["lib/rpc -> lib/distribution"]);

function layerOf(path: string): number {
  return LAYERS.findIndex((l) => l.files(path));
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

/** Every local import edge, resolved. */
function localEdges(files = FILES): { from: string; to: string; imp: Import }[] {
  return files.flatMap((f) =>
    f.imports.flatMap((imp) => {
      const to = resolveLocal(f.path, imp.specifier);
      return to ? [{ from: f.path, to, imp }] : [];
    })
  );
}

/** Finds the layering violations among `files`, as readable lines. */
function layerViolations(files = FILES): string[] {
  const out: string[] = [];
  for (const { from, to, imp } of localEdges(files)) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a < 0 || b < 0) continue; // Reported by "every file has a layer".
    const where = `${from}:${imp.line} imports ${to}${imp.typeOnly ? " (type only)" : ""}`;
    if (b > a) out.push(`${where}: layer "${LAYERS[a].name}" must not import the higher layer "${LAYERS[b].name}"`);
    else if (b === a && from.startsWith("lib/") && dirOf(from) !== dirOf(to)) {
      const edge = `${dirOf(from)} -> ${dirOf(to)}`;
      if (!SIBLING_EDGES.has(edge)) out.push(`${where}: ${edge} is not an allowed edge within "${LAYERS[a].name}"`);
    }
  }
  return out;
}

/** Uses of the runtime-specific APIs outside lib/runtime/, as readable lines. */
function runtimeLeaks(files = FILES): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (inRuntime(f.path)) continue;
    for (const imp of f.imports) {
      if (isRuntimeSpecific(imp.specifier)) out.push(`${f.path}:${imp.line} imports "${imp.specifier}"`);
    }
    const lines = f.stripped.bare.split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/(?<![\w$])(Bun|Deno)\s*\??\.(?=\s*[\w$])/g)) {
        out.push(`${f.path}:${i + 1} uses ${m[1]}. (${f.text.split("\n")[i].trim()})`);
      }
    });
  }
  return out;
}

/** Files other than lib/runtime/mod.ts that load bun.ts/deno.ts, or loads of them that are not lazy. */
function adapterLoads(files = FILES): string[] {
  const out: string[] = [];
  for (const { from, to, imp } of localEdges(files)) {
    if (to !== "lib/runtime/bun.ts" && to !== "lib/runtime/deno.ts") continue;
    if (from !== "lib/runtime/mod.ts") out.push(`${from}:${imp.line} imports ${to}: only lib/runtime/mod.ts may load it`);
    else if (!imp.dynamic && !imp.typeOnly) out.push(`${from}:${imp.line} imports ${to} statically: load it with await import()`);
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
      if (s.startsWith(".") || isRuntimeSpecific(s)) continue;
      if (FORBIDDEN_PACKAGES.some((p) => s === p || s.startsWith(p + "/"))) {
        out.push(`${f.path}:${imp.line} imports "${s}": it reads its runtime's global at import time; use lib/runtime/`);
      } else if (!declared.has(packageName(s))) {
        out.push(`${f.path}:${imp.line} imports "${s}", which package.json's dependencies do not list`);
      }
    }
  }
  return out;
}

const MAX_LINES = 450;
const LONG_LINES = 300;

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

describe("the source scanner", () => {
  test("ignores imports and Bun./Deno. in comments, and keeps them in code", () => {
    const src = [
      "// import { x } from \"node:fs\";",
      "/* Bun.serve(); import(\"./bun.ts\") */",
      "const url = \"http://example.com/*\"; // Deno.exit",
      "const re = /\\/\\*[\"']/g;",
      "import { y } from \"./y.ts\";",
      "const t = `${Deno.pid} // not a comment`;",
      "export type { Z } from \"../z.ts\";",
      "const m = await import(\"./late.ts\");",
    ].join("\n");
    const s = stripComments(src);
    expect(importsOf(s.code).map((i) => [i.specifier, i.line, i.dynamic, i.typeOnly])).toEqual([
      ["./y.ts", 5, false, false],
      ["../z.ts", 7, false, true],
      ["./late.ts", 8, true, false],
    ]);
    expect(s.bare).not.toContain("Bun.");
    expect(s.bare).toContain("Deno.pid");
    expect(s.bare).not.toContain("Deno.exit");
    expect(s.bare.split("\n")).toHaveLength(8);
  });

  test("reads multi-line imports and import-with-default forms", () => {
    const src = 'import {\n  a,\n  b,\n} from "./a.ts";\nimport d, { e } from "./d.ts";\nimport * as ns from "./ns.ts";\nexport * from "./all.ts";\nimport "./side.ts";\n';
    expect(importsOf(stripComments(src).code).map((i) => i.specifier)).toEqual(["./a.ts", "./d.ts", "./ns.ts", "./all.ts", "./side.ts"]);
  });

  test("finds every .ts file of lib/ and cmd/ and at least one import in most", () => {
    expect(FILES.length).toBeGreaterThan(40);
    expect(FILES.some((f) => f.path === "lib/runtime/mod.ts")).toBe(true);
    expect(FILES.some((f) => f.path === "cmd/meshrpc.ts")).toBe(true);
    expect(FILES.filter((f) => f.imports.length > 0).length).toBeGreaterThan(FILES.length / 2);
  });
});

describe("the dependency rules of STYLE.md", () => {
  test("every file under lib/ and cmd/ belongs to exactly one layer", () => {
    const unplaced = FILES.filter((f) => LAYERS.filter((l) => l.files(f.path)).length !== 1).map((f) => f.path);
    expect(unplaced).toEqual([]);
  });

  test("every relative import names a file that exists", () => {
    const paths = new Set(FILES.map((f) => f.path));
    const missing = localEdges().filter((e) => !paths.has(e.to)).map((e) => `${e.from}:${e.imp.line} imports ${e.to}`);
    expect(missing).toEqual([]);
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

  test("lib/ never imports cmd/", () => {
    const bad = localEdges().filter((e) => e.from.startsWith("lib/") && e.to.startsWith("cmd/"));
    expect(bad.map((e) => `${e.from}:${e.imp.line} imports ${e.to}`)).toEqual([]);
  });

  test("distribution/ never imports rpc/ (rpc may use distribution)", () => {
    const bad = localEdges().filter((e) => e.from.startsWith("lib/distribution/") && e.to.startsWith("lib/rpc/"));
    expect(bad.map((e) => `${e.from}:${e.imp.line} imports ${e.to}`)).toEqual([]);
  });

  test("lower layers never import higher ones", () => {
    expect(layerViolations()).toEqual([]);
  });

  test("import() of a computed path happens only where user modules are loaded", () => {
    const computed = FILES.flatMap((f) => computedImports(f.stripped.code).map((line) => `${f.path}:${line}`));
    expect(computed.filter((w) => !w.startsWith("lib/rpc/modules.ts:"))).toEqual([]);
  });
});

describe("file size", () => {
  test(`no file under lib/ or cmd/ is longer than ${MAX_LINES} lines`, () => {
    // STYLE.md: "rarely over ~300". Those are listed so that they get split before they reach the limit.
    const over = FILES.filter((f) => lineCount(f.text) > LONG_LINES).map((f) => `${f.path} (${lineCount(f.text)})`);
    if (over.length) console.info(`Files over ${LONG_LINES} lines: ${over.join(", ")}`);
    const long = FILES.filter((f) => lineCount(f.text) > MAX_LINES).map((f) => `${f.path}: ${lineCount(f.text)} lines`);
    expect(long).toEqual([]);
  });
});

describe("the checks themselves catch violations", () => {
  const fake = (path: string, text: string): SourceFile => {
    const stripped = stripComments(text);
    return { path, text, stripped, imports: importsOf(stripped.code) };
  };

  test("a higher-layer import, a forbidden sibling edge and dist -> rpc are reported", () => {
    const files = [
      fake("lib/codec/x.ts", 'import { Mesh } from "../distribution/mesh.ts";\n'),
      fake("lib/distribution/y.ts", 'import type { Rpc } from "../rpc/caller.ts";\n'),
      fake("lib/epmd/z.ts", 'import { Rpc } from "../rpc/caller.ts";\n'),
      fake("lib/rpc/ok.ts", 'import type { Mesh } from "../distribution/mesh.ts";\n'),
      fake("lib/core/name.ts", 'import { startNode } from "../node/node.ts";\n'),
    ];
    const v = layerViolations(files);
    expect(v).toHaveLength(4);
    expect(v[0]).toContain("lib/codec/x.ts:1 imports lib/distribution/mesh.ts");
    expect(v[1]).toContain("lib/distribution -> lib/rpc");
    expect(v[2]).toContain("lib/epmd -> lib/rpc");
    expect(v[3]).toContain("lib/core/name.ts:1 imports lib/node/node.ts");
  });

  test("Bun./Deno. in code and node:* imports outside lib/runtime/ are reported, but not in comments", () => {
    const files = [
      fake("lib/http/x.ts", '// Bun.serve is in runtime/\nconst s = Bun.serve({});\n'),
      fake("cmd/y.ts", 'import { readFileSync } from "node:fs";\nimport os from "os";\n'),
      fake("lib/rpc/z.ts", "const p = globalThis.Deno?.pid; /* Deno.exit() */\n"),
      fake("lib/runtime/ok.ts", 'import fs from "node:fs";\nBun.serve({});\n'),
    ];
    expect(runtimeLeaks(files).map((l) => l.split(" ")[0])).toEqual(["lib/http/x.ts:2", "cmd/y.ts:1", "cmd/y.ts:2", "lib/rpc/z.ts:1"]);
  });

  test("a static or foreign load of an adapter, hono/deno and an undeclared package are reported", () => {
    const files = [
      fake("lib/runtime/mod.ts", 'import { bun } from "./bun.ts";\n'),
      fake("lib/node/node.ts", 'const d = await import("../runtime/deno.ts");\n'),
      fake("lib/http/app.ts", 'import { upgradeWebSocket } from "hono/deno";\nimport x from "left-pad";\n'),
    ];
    expect(adapterLoads(files)).toHaveLength(2);
    expect(packageViolations(files, new Set(["hono"]))).toHaveLength(2);
  });
});
