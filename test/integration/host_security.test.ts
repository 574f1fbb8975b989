/**
 * What another user of the host can plant, and what a peer can write into a
 * log: real daemons, each cluster in its own runtime directory.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { encodeFrame } from "../../lib/distribution/frame_codec.ts";
import { Cluster, type Flavor, freePort, programOf, sleep, waitFor } from "../support/cluster.ts";

setDefaultTimeout(60_000);

const IS_ROOT = process.getuid?.() === 0;

let cluster: Cluster;
afterEach(() => cluster?.cleanup());

/** Opens `/dist` on a node and sends a hello whose `to` is `to`; resolves once the node closes the socket. */
async function helloTo(port: number, to: string): Promise<{ closed: Promise<void> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/dist`);
  ws.binaryType = "arraybuffer";
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("cannot open /dist")));
  });
  ws.send(encodeFrame({ type: "hello", version: 1, name: "x@localhost", to, port: 1, hidden: false, creation: "c" }));
  return { closed };
}

describe("the runtime directory", () => {
  test("a start in a directory every user can write to is refused, saying to chmod 700 it", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const open = join(cluster.dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await cluster.cli(["start", "--sname", "o@localhost", "--cookie", "c"], { env: { MESHRPC_RUNTIME_DIR: open } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The runtime directory ${open} is writable by every user (mode 0777)`);
    expect(r.stderr).toContain(`chmod 700 ${open}`);
    expect(r.stderr).toContain("MESHRPC_RUNTIME_DIR");
  });

  test("a detached start is refused the same way", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const open = join(cluster.dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o770);
    const r = await cluster.cli(["start", "--sname", "o@localhost", "--cookie", "c", "--detach"], {
      env: { MESHRPC_RUNTIME_DIR: open },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is writable by its group (mode 0770)");
  });

  test("a runtime directory that is a symbolic link is refused", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const real = join(cluster.dir, "real");
    mkdirSync(real, { mode: 0o700 });
    const link = join(cluster.dir, "link");
    symlinkSync(real, link);
    const r = await cluster.cli(["start", "--sname", "o@localhost", "--cookie", "c"], { env: { MESHRPC_RUNTIME_DIR: link } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The runtime directory ${link} is a symbolic link (to ${real})`);
  });

  test.skipIf(!IS_ROOT)("a runtime directory of another user is refused", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const theirs = join(cluster.dir, "theirs");
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    const r = await cluster.cli(["start", "--sname", "o@localhost", "--cookie", "c"], { env: { MESHRPC_RUNTIME_DIR: theirs } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The runtime directory ${theirs} belongs to uid 65534, not to you`);
  });

  test("a symbolic link planted at the detached log's path is not followed", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const victim = join(cluster.dir, "victim.txt");
    writeFileSync(victim, "untouched\n");
    symlinkSync(victim, join(cluster.dir, "d@localhost.log"));
    const r = await cluster.cli(["start", "--sname", "d@localhost", "--cookie", "c", "--detach"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is a symbolic link, which meshrpc does not follow");
    expect(readFileSync(victim, "utf8")).toBe("untouched\n");
  });

  test("a symbolic link planted at the port mapper's log path is not followed", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    const victim = join(cluster.dir, "victim.txt");
    writeFileSync(victim, "untouched\n");
    symlinkSync(victim, join(cluster.dir, "epmd.log"));
    const r = await cluster.cli(["start", "--sname", "m@localhost", "--cookie", "c"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is a symbolic link, which meshrpc does not follow");
    expect(readFileSync(victim, "utf8")).toBe("untouched\n");
  });
});

describe("a control socket path", () => {
  test("holding a symbolic link to another node's socket: start says so, and status does not follow it", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost");
    const link = join(cluster.dir, "b@localhost.sock");
    symlinkSync(a.socket, link);

    const started = await cluster.cli(["start", "--sname", "b@localhost", "--cookie", cluster.cookie, "--listen", "127.0.0.1"]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`The control socket path ${link} is a symbolic link to ${a.socket}`);
    expect(started.stderr).toContain(`rm ${link}`);
    expect(started.stderr).not.toContain("already running");

    const status = await cluster.cli(["status", "--node", "b@localhost"]);
    expect(status.code).not.toBe(0);
    expect(status.stdout).not.toContain("a@localhost");
    expect(status.stderr).toContain(`Refusing to talk to ${link}: it is a symbolic link`);

    // Without --node, the link is not counted as a running node either.
    const only = await cluster.cli(["status", "--format", "json"]);
    expect(only.code).toBe(0);
    expect(JSON.parse(only.stdout).node).toBe("a@localhost");
  });

  test("holding a symbolic link: a detached start reports why the node did not start", async () => {
    cluster = new Cluster();
    const a = await cluster.start("a@localhost");
    symlinkSync(a.socket, join(cluster.dir, "b@localhost.sock"));
    const r = await cluster.cli(["start", "--sname", "b@localhost", "--cookie", cluster.cookie, "--listen", "127.0.0.1", "--detach"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is a symbolic link to");
    expect(r.stderr).not.toContain("already running");
  });

  test("in a directory other users can write to is never talked to, even when the socket is the user's", async () => {
    cluster = new Cluster();
    const open = join(cluster.dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const path = join(open, "x@localhost.sock");
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const r = await cluster.cli(["status", "--node", "x@localhost"], { env: { MESHRPC_RUNTIME_DIR: open } });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`is in ${open}, which other users can write to (mode 0777)`);
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test.skipIf(!IS_ROOT)("holding another user's socket is never talked to", async () => {
    cluster = new Cluster();
    const path = join(cluster.dir, "evil@localhost.sock");
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      chownSync(path, 65534, 65534);
      const r = await cluster.cli(["call", "evil@localhost", "rpc", "echo", "secret-argument", "--node", "evil@localhost"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("is a socket of another user (uid 65534");
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("a peer-supplied string in a log line", () => {
  test("is escaped so that sourcing the log in a shell runs nothing", async () => {
    cluster = new Cluster();
    const node = await cluster.start("l@localhost");
    const marker = join(cluster.dir, "pwned");
    const { closed } = await helloTo(node.port, `$(touch ${marker}) \`touch ${marker}\` ;touch${"${IFS}"}${marker}`);
    await closed;
    await waitFor("the refusal to be logged", () => node.log().includes("handshake_refused"));
    const log = join(cluster.dir, "captured.log");
    writeFileSync(log, node.log());
    const sh = Bun.spawnSync(["sh", "-c", `. ${log}`], { cwd: cluster.dir, stderr: "ignore", stdout: "ignore" });
    expect(sh.exitCode).not.toBeNull();
    expect(existsSync(marker)).toBe(false);
    expect(node.log()).toContain("\\u0024(touch");
  });
});

describe("a node whose log can no longer be written", () => {
  /** Starts a node whose stderr is a pipe; returns it once it serves, with a function that closes the pipe's reader. */
  async function startWithPipe(name: string): Promise<{ pid: number; port: number; closeReader(): void; exited: Promise<number | null> }> {
    const [cmd, ...args] = programOf("bun");
    const child = spawn(cmd, [...args, "start", "--sname", name, "--cookie", cluster.cookie, "--listen", "127.0.0.1"], {
      env: cluster.env(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    cluster.track(child.pid!);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let text = "";
    child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
    const m = await waitFor(`node ${name} to start`, () => /\bstart node=\S+ port=(\d+)/.exec(text), 20_000);
    return { pid: child.pid!, port: Number(m[1]), closeReader: () => child.stderr!.destroy(), exited };
  }

  test("still closes refused connections and stops on SIGTERM once stderr's reader is gone", async () => {
    cluster = new Cluster();
    await cluster.startEpmd();
    const node = await startWithPipe("p@localhost");
    node.closeReader();
    await sleep(100);
    // Each refusal logs a line: the first write fails with EPIPE, and the ones after it too.
    for (let i = 0; i < 3; i++) {
      const { closed } = await helloTo(node.port, "nobody@localhost");
      expect(await Promise.race([closed.then(() => "closed"), sleep(5000).then(() => "open")])).toBe("closed");
    }
    process.kill(node.pid, "SIGTERM");
    expect(await Promise.race([node.exited.then(() => "exited"), sleep(8000).then(() => "running")])).toBe("exited");
  });

  test("stops on `meshrpc stop` once stderr's reader is gone", async () => {
    cluster = new Cluster();
    await cluster.startEpmd();
    const node = await startWithPipe("q@localhost");
    node.closeReader();
    await sleep(100);
    await helloTo(node.port, "nobody@localhost");
    await cluster.cli(["stop", "--node", "q@localhost"], { timeoutMs: 10_000 });
    expect(await Promise.race([node.exited.then(() => "exited"), sleep(8000).then(() => "running")])).toBe("exited");
  });
});

describe("a node whose stderr reader stopped reading", () => {
  /** A FIFO filled to the brim, whose reader stays open and never reads: a write to it blocks. */
  function fullFifo(dir: string): { fd: number; close(): void } {
    const path = join(dir, "stderr.fifo");
    expect(Bun.spawnSync(["mkfifo", path]).exitCode).toBe(0);
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      for (;;) writeSync(filler, new Uint8Array(4096));
    } catch {
      // EAGAIN: full.
    }
    closeSync(filler);
    const fd = openSync(path, constants.O_WRONLY);
    return {
      fd,
      close() {
        closeSync(fd);
        closeSync(reader);
      },
    };
  }

  for (const flavor of ["bun", "deno"] as Flavor[]) {
    test(`still serves, closes refused connections and stops on SIGTERM (${flavor})`, async () => {
      cluster = new Cluster();
      await cluster.startEpmd();
      const fifo = fullFifo(cluster.dir);
      try {
        const port = await freePort();
        const [cmd, ...args] = programOf(flavor);
        const argv = [...args, "start", "--sname", "f@localhost", "--cookie", cluster.cookie, "--listen", "127.0.0.1", "--port", String(port)];
        const child = spawn(cmd, argv, { env: cluster.env(), stdio: ["ignore", "ignore", fifo.fd] });
        cluster.track(child.pid!);
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        await waitFor("the node to answer /health", async () => {
          try {
            return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
          } catch {
            return false;
          }
        }, 20_000);
        for (let i = 0; i < 3; i++) {
          const { closed } = await helloTo(port, "nobody@localhost");
          expect(await Promise.race([closed.then(() => "closed"), sleep(5000).then(() => "open")])).toBe("closed");
        }
        process.kill(child.pid!, "SIGTERM");
        expect(await Promise.race([exited.then(() => "exited"), sleep(8000).then(() => "running")])).toBe("exited");
      } finally {
        fifo.close();
      }
    });
  }
});

describe("a port mapper started by a node", () => {
  test("does not inherit the cookie or other secrets from the node's environment", async () => {
    cluster = new Cluster();
    cluster.epmdPort = await freePort();
    await cluster.start("s@localhost", { env: { MESHRPC_COOKIE: "env-cookie-secret", DEPLOY_API_TOKEN: "tok", KEEP_ME: "yes" } });
    const health = await (await fetch(`http://127.0.0.1:${cluster.epmdPort}/health`)).json() as { pid: number };
    cluster.track(health.pid);
    const environ = readFileSync(`/proc/${health.pid}/environ`, "utf8").split("\0");
    expect(environ.some((e) => e.startsWith("MESHRPC_COOKIE="))).toBe(false);
    expect(environ.some((e) => e.startsWith("DEPLOY_API_TOKEN="))).toBe(false);
    expect(environ).toContain("KEEP_ME=yes");
    expect(environ.some((e) => e.startsWith("PATH="))).toBe(true);
  });
});
