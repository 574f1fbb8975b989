/**
 * The part of the runtime seam that Bun and Deno implement identically,
 * through their Node.js compatibility (`node:*`). `bun.ts` and `deno.ts`
 * add what differs: servers, Unix-socket clients, signals, arguments.
 *
 * @module
 */
import process from "node:process";
import { nodeChildProcess, nodeDns, nodeFs, nodeFsp, nodeOs } from "./builtins.ts";
import { lstat, openAppendPrivate, readDir, readDirSync, readLink, stat } from "./files.ts";
import type { Child, MemoryUsage, OsInfo, Runtime, Transport } from "./types.ts";
import { LineSink } from "./line_sink.ts";
import { processExists } from "./process.ts";
import { dialWebSocket } from "./websocket.ts";
import { tcp } from "./tcp.ts";

type Shared = Omit<
  Runtime,
  "name" | "version" | "args" | "selfCommand" | "startupDone" | "onSignal" | "serve" | "serveUnix" | "fetchUnix"
>;

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += nodeFs().writeSync(fd, data, off);
    } catch (err) {
      // A non-blocking pipe that is full: try again rather than lose output.
      if ((err as { code?: string }).code !== "EAGAIN") throw err;
    }
  }
}

const encoder = new TextEncoder();

// node:fs's asynchronous write runs off the event loop (Bun); deno.ts has its own.
const stderrSink = new LineSink((data) =>
  new Promise((resolve, reject) => nodeFs().write(2, data, (err, n) => (err ? reject(err) : resolve(n))))
);

export const shared: Shared = {
  pid: process.pid,
  env: (name) => process.env[name],
  uid: () => process.getuid?.() ?? 0,
  homeDir: () => process.env.HOME ?? nodeOs().homedir(),
  exit: (code) => process.exit(code),
  kill(pid, signal = "SIGTERM") {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
  processExists,
  stdout: (text) => writeAll(1, encoder.encode(text + "\n")),
  stderr: (text) => writeAll(2, encoder.encode(text + "\n")),
  stdoutBytes: (data) => writeAll(1, data),
  logLine: (text) => stderrSink.line(text),
  flushLog: (ms) => stderrSink.flush(ms),

  os(): OsInfo {
    const os = nodeOs();
    const cpus = os.cpus();
    const [l1, l5, l15] = os.loadavg();
    return {
      hostname: os.hostname(),
      platform: os.platform(),
      arch: os.arch(),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      loadavg: [l1, l5, l15],
      totalMemory: os.totalmem(),
      freeMemory: os.freemem(),
      osUptime: os.uptime(),
    };
  },
  memory(): MemoryUsage {
    const m = process.memoryUsage();
    return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
  },
  async resolveHost(host) {
    return (await nodeDns().lookup(host)).address;
  },

  dial: (url, options): Promise<Transport> => dialWebSocket(url, options),
  ...tcp,

  spawnDetached(argv, { env, logFile, keepEnv }): Child {
    const out = openAppendPrivate(logFile);
    try {
      const inherited = Object.entries(process.env).filter(([name]) => keepEnv?.(name) ?? true);
      const child = nodeChildProcess().spawn(argv[0], argv.slice(1), {
        detached: true,
        stdio: ["ignore", out, out],
        env: { ...Object.fromEntries(inherited), ...env },
      });
      const exited = new Promise<number>((resolve) => {
        child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
        child.once("error", () => resolve(127));
      });
      child.unref();
      return { pid: child.pid ?? -1, exited };
    } finally {
      nodeFs().closeSync(out);
    }
  },

  readTextFile: (path) => nodeFsp().readFile(path, "utf8"),
  async writeTextFile(path, text, options = {}) {
    await nodeFsp().writeFile(path, text, { mode: options.mode ?? 0o644, flag: options.createNew ? "wx" : "w" });
  },
  async mkdir(path, mode) {
    await nodeFsp().mkdir(path, { recursive: true, mode });
  },
  chmod: (path, mode) => nodeFsp().chmod(path, mode),
  stat,
  lstat,
  readLink,
  async remove(path) {
    await nodeFsp().rm(path, { force: true });
  },
  readDir,
  readDirSync,
  realPath: (path) => nodeFsp().realpath(path),
};
