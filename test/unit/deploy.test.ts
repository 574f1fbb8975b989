/**
 * The systemd units in deploy/ hold what an operator relies on: the daemon
 * started in the foreground with JSON logs and a fixed port, restarts,
 * the runtime directory the CLI looks in, a stop that leaves time for calls
 * in flight, and the port mapper as its own unit. Text checks only: CI has
 * no systemd (`systemd-analyze verify deploy/*.service` is the full lint).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../../cmd/cli.ts";
import { DEFAULTS } from "../../lib/node/options.ts";

const DEPLOY = join(import.meta.dir, "..", "..", "deploy");

type Unit = Record<string, Record<string, string[]>>;

/** Parses a unit file: section -> key -> values, in order (keys may repeat). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = "";
  // A trailing backslash continues a line.
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || !section) throw new Error(`Not a unit file line: ${raw}`);
    const key = line.slice(0, eq).trim();
    (unit[section][key] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** `Environment=` assignments of a section (`A=1 B=2` on one line allowed, without quotes). */
function environment(unit: Unit): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unit.Service.Environment ?? []) {
    for (const pair of line.split(/\s+/)) {
      const eq = pair.indexOf("=");
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** KEY=VALUE lines of an environment file; throws on a line systemd would not read as one. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`Not KEY=VALUE: ${raw}`);
    const value = m[2];
    // systemd takes the rest of the line as the value: a trailing "# ..." would become part of it.
    if (/^[^"']*\s#/.test(value)) throw new Error(`Inline comment in ${m[1]}: put it on a line of its own`);
    env[m[1]] = value.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return env;
}

/** Seconds of a systemd time span such as `20s`, `1min 30s`, `90`. */
function seconds(span: string): number {
  const units: Record<string, number> = { "": 1, s: 1, sec: 1, m: 60, min: 60, h: 3600, ms: 0.001 };
  let total = 0;
  for (const m of span.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]*)/g)) {
    if (!(m[2] in units)) throw new Error(`Unknown time unit in ${span}`);
    total += Number(m[1]) * units[m[2]];
  }
  return total;
}

/** The `$NAME` and `${NAME}` references of a command line, with whether each was braced. */
function variables(command: string): { name: string; braced: boolean }[] {
  return [...command.replace(/\$\$/g, "").matchAll(/\$(\{)?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => ({
    name: m[2],
    braced: m[1] === "{",
  }));
}

const read = (name: string) => readFileSync(join(DEPLOY, name), "utf8");
const node = parseUnit(read("meshrpc.service"));
const epmd = parseUnit(read("meshrpc-epmd.service"));
const exampleText = read("meshrpc.env.example");
// Parsed leniently here so that a malformed line fails its own test below, not the whole file.
const example = (() => {
  try {
    return parseEnvFile(exampleText);
  } catch {
    return {} as Record<string, string>;
  }
})();
const one = (unit: Unit, section: string, key: string) => {
  const values = unit[section]?.[key] ?? [];
  expect(values, `${section}.${key}`).toHaveLength(1);
  return values[0];
};

describe("meshrpc.service", () => {
  const exec = one(node, "Service", "ExecStart");
  const argv = exec.split(/\s+/);

  test("runs `meshrpc start` in the foreground, with JSON logs and a fixed port", () => {
    expect(one(node, "Service", "Type")).toBe("exec");
    expect(argv[0]).toMatch(/^\/.*\/meshrpc$/);
    expect(argv[1]).toBe("start");
    expect(exec).toContain("--log-format json");
    expect(exec).not.toContain("--detach");
    const port = argv[argv.indexOf("--port") + 1];
    expect(port).toBe("${MESHRPC_PORT}");
    expect(Number(environment(node).MESHRPC_PORT)).toBeGreaterThan(0);
    expect(Number(example.MESHRPC_PORT)).toBeGreaterThan(0);
    expect(example.MESHRPC_PORT).not.toBe(example.MESHRPC_EPMD_PORT);
  });

  test("takes the cookie from the environment, never from argv where ps shows it", () => {
    expect(exec).not.toContain("--cookie");
    expect(example.MESHRPC_COOKIE).toBeTruthy();
  });

  test("reads /etc/meshrpc/meshrpc.env, optional, and every braced variable has a default", () => {
    expect(node.Service.EnvironmentFile).toEqual(["-/etc/meshrpc/meshrpc.env"]);
    const defaults = environment(node);
    for (const v of variables(exec)) {
      // An empty ${X} would still be one (empty) argument; an unbraced $X splits into zero or more.
      if (v.braced) expect(defaults[v.name], `default for ${v.name}`).toBeTruthy();
      expect(v.name in example, `${v.name} in meshrpc.env.example`).toBe(true);
    }
    expect(variables(exec).map((v) => v.name)).toEqual(expect.arrayContaining(["MESHRPC_NAME", "MESHRPC_JOIN", "MESHRPC_MODULES"]));
  });

  test("puts the control socket in the runtime directory systemd creates, where the CLI is told to look", () => {
    const dir = one(node, "Service", "RuntimeDirectory");
    expect(dir).toBe("meshrpc");
    expect(environment(node).MESHRPC_RUNTIME_DIR).toBe(`/run/${dir}`);
    expect(read("meshrpc.service")).toContain("MESHRPC_RUNTIME_DIR=/run/meshrpc meshrpc status");
  });

  test("restarts on failure, but not after a configuration error (exit 2)", () => {
    expect(one(node, "Service", "Restart")).toBe("on-failure");
    expect(one(node, "Service", "RestartPreventExitStatus")).toBe(String(EXIT.badarg));
  });

  test("stops with SIGTERM and waits longer than the node lets calls in flight finish", () => {
    expect(one(node, "Service", "KillSignal")).toBe("SIGTERM");
    expect(seconds(one(node, "Service", "TimeoutStopSec"))).toBeGreaterThan(DEFAULTS.shutdownTimeoutMs / 1000);
  });

  test("allows far more open descriptors than the common default of 1024: idle connections hold one each", () => {
    expect(Number(one(node, "Service", "LimitNOFILE"))).toBeGreaterThanOrEqual(65536);
  });

  test("runs as an unprivileged user in a sandbox that still lets a JIT run", () => {
    const s = node.Service;
    expect(s.DynamicUser?.[0] === "yes" || (s.User?.[0] ?? "root") !== "root").toBe(true);
    expect(s.NoNewPrivileges).toEqual(["yes"]);
    expect(s.ProtectSystem).toEqual(["strict"]);
    expect(s.ProtectHome).toEqual(["yes"]);
    expect(s.PrivateTmp).toEqual(["yes"]);
    expect(s.CapabilityBoundingSet).toEqual([""]);
    // JavaScriptCore and V8 need writable+executable pages.
    expect(s.MemoryDenyWriteExecute ?? ["no"]).toEqual(["no"]);
  });

  test("wants the port mapper unit and starts after it and the network", () => {
    expect(node.Unit.Wants.join(" ")).toContain("meshrpc-epmd.service");
    expect(node.Unit.After.join(" ")).toContain("meshrpc-epmd.service");
    expect(node.Unit.After.join(" ")).toContain("network-online.target");
    expect(node.Install.WantedBy).toEqual(["multi-user.target"]);
  });
});

describe("meshrpc-epmd.service", () => {
  const exec = one(epmd, "Service", "ExecStart");

  test("runs `meshrpc epmd` from the same binary, with JSON logs, and always restarts it", () => {
    const binary = one(node, "Service", "ExecStart").split(/\s+/)[0];
    expect(exec.split(/\s+/).slice(0, 2)).toEqual([binary, "epmd"]);
    expect(exec).toContain("--log-format json");
    expect(one(epmd, "Service", "Restart")).toBe("always");
    expect(one(epmd, "Service", "KillSignal")).toBe("SIGTERM");
    expect(epmd.Service.EnvironmentFile).toEqual(["-/etc/meshrpc/meshrpc.env"]);
  });

  test("does not keep the cookie that the shared environment file holds", () => {
    expect(epmd.Service.UnsetEnvironment?.join(" ").split(/\s+/)).toContain("MESHRPC_COOKIE");
  });

  test("counts as started only once the mapper answers, and escapes the shell's $ from systemd", () => {
    const post = one(epmd, "Service", "ExecStartPost");
    expect(post).toContain("meshrpc names");
    // systemd expands $X itself; the shell's variables must be written $$X.
    expect(variables(post)).toEqual([]);
  });

  test("every braced variable has a default, and the port comes from the shared environment", () => {
    const defaults = environment(epmd);
    for (const v of variables(exec)) if (v.braced) expect(defaults[v.name], v.name).toBeTruthy();
    expect(defaults.MESHRPC_EPMD_PORT).toBe(environment(node).MESHRPC_EPMD_PORT);
    expect(epmd.Unit.Before.join(" ")).toContain("meshrpc.service");
  });
});

describe("meshrpc.env.example", () => {
  test("is KEY=VALUE lines that systemd reads as meant (no inline comments)", () => {
    expect(() => parseEnvFile(exampleText)).not.toThrow();
  });

  test("sets the cookie, name, ports, join list and modules, and nothing else than MESHRPC_ variables", () => {
    for (const key of ["MESHRPC_COOKIE", "MESHRPC_NAME", "MESHRPC_PORT", "MESHRPC_EPMD_PORT", "MESHRPC_JOIN", "MESHRPC_MODULES"]) {
      expect(key in example, key).toBe(true);
    }
    expect(Object.keys(example).every((k) => k.startsWith("MESHRPC_"))).toBe(true);
    expect(example.MESHRPC_NAME).toMatch(/^[\w.-]+@[\w.-]+$/);
    expect(example.MESHRPC_JOIN).toMatch(/^(--join [\w.-]+@[\w.-]+\s*)+$/);
  });

  test("does not override the runtime directory the unit fixes", () => {
    expect("MESHRPC_RUNTIME_DIR" in example).toBe(false);
  });
});

describe("the parsers used here", () => {
  test("reject an inline comment in an environment file and read time spans", () => {
    expect(() => parseEnvFile("MESHRPC_PORT=4371 # the node\n")).toThrow("Inline comment");
    expect(seconds("1min 30s")).toBe(90);
    expect(variables(`sh -c 'i=$$((i+1)); echo $$i' \${A} $B`)).toEqual([{ name: "A", braced: true }, { name: "B", braced: false }]);
  });
});
