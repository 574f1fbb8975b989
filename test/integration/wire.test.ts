/**
 * What actually crosses the wire between two nodes (SPEC §3: "the cookie
 * never crosses the wire"). A recording TCP proxy sits between two real
 * daemons; node b reaches node a through it as `a@localhost:PROXYPORT` (a
 * name with a port skips the port mapper). The recorded streams are parsed
 * as HTTP upgrade + WebSocket frames and unmasked, then searched.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { concatBytes } from "../../lib/core/bytes.ts";
import { Cluster, type Flavor, waitFor } from "../support/cluster.ts";

setDefaultTimeout(60_000);

// ---- a recording proxy ----

/** One proxied TCP connection: every byte each way, in order. */
interface Recorded {
  /** Dialer to acceptor (WebSocket client to server: masked frames). */
  up: Uint8Array[];
  /** Acceptor to dialer (server to client: unmasked frames). */
  down: Uint8Array[];
  closed: Promise<void>;
}

/** Forwards 127.0.0.1:port to 127.0.0.1:target and records both directions. */
class RecordingProxy {
  readonly connections: Recorded[] = [];
  #server?: Server;
  #sockets = new Set<Socket>();
  port = 0;

  async start(target: number): Promise<number> {
    const server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: target });
      this.#sockets.add(client).add(upstream);
      const rec: Recorded = { up: [], down: [], closed: Promise.resolve() };
      let open = 2;
      rec.closed = new Promise((resolve) => {
        const ended = () => --open === 0 && resolve();
        client.once("close", ended);
        upstream.once("close", ended);
      });
      this.connections.push(rec);
      client.on("data", (d: Buffer) => {
        rec.up.push(new Uint8Array(d));
        upstream.write(d);
      });
      upstream.on("data", (d: Buffer) => {
        rec.down.push(new Uint8Array(d));
        client.write(d);
      });
      client.on("end", () => upstream.end());
      upstream.on("end", () => client.end());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise((r) => server.close(r));
  }
}

// ---- HTTP upgrade + WebSocket frames (RFC 6455) ----


interface WsFrame {
  opcode: number;
  /** RSV1: set on compressed messages (permessage-deflate). */
  rsv: number;
  masked: boolean;
  payload: Uint8Array;
}

interface Parsed {
  /** The HTTP request or response head, as text. */
  head: string;
  frames: WsFrame[];
  /** Every frame's payload, unmasked, in order. */
  payloads: Uint8Array;
  /** Bytes after the last complete frame (0 for a stream that ended cleanly). */
  leftover: number;
}

const HEAD_END = new TextEncoder().encode("\r\n\r\n");

function parseStream(bytes: Uint8Array): Parsed {
  const end = Buffer.from(bytes).indexOf(Buffer.from(HEAD_END));
  if (end < 0) throw new Error(`No complete HTTP head in ${bytes.length} bytes`);
  const head = new TextDecoder().decode(bytes.subarray(0, end));
  const frames: WsFrame[] = [];
  let at = end + HEAD_END.length;
  while (at < bytes.length) {
    if (bytes.length - at < 2) break;
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    let len = b1 & 0x7f;
    let p = at + 2;
    if (len === 126) {
      if (bytes.length - p < 2) break;
      len = (bytes[p] << 8) | bytes[p + 1];
      p += 2;
    } else if (len === 127) {
      if (bytes.length - p < 8) break;
      len = Number(new DataView(bytes.buffer, bytes.byteOffset + p, 8).getBigUint64(0));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(p, p + 4) : undefined;
    if (masked) p += 4;
    if (bytes.length - p < len) break;
    const payload = bytes.slice(p, p + len);
    if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    frames.push({ opcode: b0 & 0x0f, rsv: (b0 >> 4) & 0x07, masked, payload });
    at = p + len;
  }
  return { head, frames, payloads: concatBytes(frames.map((f) => f.payload)), leftover: bytes.length - at };
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

/** The cookie as it might leak: its UTF-8 bytes, and their hex and base64 forms. */
function leakForms(cookie: string): [string, Uint8Array][] {
  const bytes = Buffer.from(cookie, "utf8");
  return [
    ["the bytes", bytes],
    ["the hex", Buffer.from(bytes.toString("hex"))],
    ["the base64", Buffer.from(bytes.toString("base64"))],
    ["the base64url", Buffer.from(bytes.toString("base64url"))],
  ].map(([form, b]) => [form as string, new Uint8Array(b as Buffer)]);
}

/** `promise`, or an Error naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (s: string) => new TextEncoder().encode(s);

/** Both directions of one proxied connection, parsed, with the checks every connection must pass. */
function analyse(rec: Recorded): { up: Parsed; down: Parsed; rawUp: Uint8Array; rawDown: Uint8Array } {
  const rawUp = concatBytes(rec.up);
  const rawDown = concatBytes(rec.down);
  const up = parseStream(rawUp);
  const down = parseStream(rawDown);
  expect(up.head).toStartWith("GET /dist ");
  expect(down.head).toStartWith("HTTP/1.1 101 ");
  // A compressed stream would hide the cookie from a byte search: none may be negotiated.
  expect(down.head.toLowerCase()).not.toContain("sec-websocket-extensions");
  expect(down.head.toLowerCase()).not.toContain("deflate");
  for (const f of [...up.frames, ...down.frames]) expect(f.rsv).toBe(0);
  // Client frames are masked, server frames are not (so the unmasking above is what reveals them).
  expect(up.frames.length).toBeGreaterThan(0);
  expect(up.frames.every((f) => f.masked)).toBe(true);
  expect(down.frames.some((f) => f.masked)).toBe(false);
  expect({ up: up.leftover, down: down.leftover }).toEqual({ up: 0, down: 0 });
  return { up, down, rawUp, rawDown };
}

/** Where any form of any cookie shows up in the named streams: [] when none does. */
function leaks(streams: Record<string, Uint8Array>, cookies: string[]): string[] {
  const found: string[] = [];
  for (const cookie of cookies) {
    for (const [form, bytes] of leakForms(cookie)) {
      for (const [where, s] of Object.entries(streams)) if (contains(s, bytes)) found.push(`${form} of ${cookie} in ${where}`);
    }
  }
  return found;
}

/** The four views of one connection that are searched. */
function views(c: ReturnType<typeof analyse>): Record<string, Uint8Array> {
  return {
    "the raw bytes from the dialer": c.rawUp,
    "the raw bytes from the acceptor": c.rawDown,
    "the unmasked payloads from the dialer": c.up.payloads,
    "the payloads from the acceptor": c.down.payloads,
  };
}

// ---- the scenarios ----

/** A long, distinctive cookie: no accidental match, and any leak of it is unmistakable. */
const distinctive = (label: string) => `${label}-${crypto.randomUUID()}-${crypto.randomUUID()}`;

let cluster: Cluster;
let proxy: RecordingProxy;
afterEach(async () => {
  await proxy.stop();
  await cluster.cleanup();
});

/** acceptor (a) and dialer (b): each runtime's WebSocket server and client. */
const PAIRS: { acceptor: Flavor; dialer: Flavor }[] = [
  { acceptor: "bun", dialer: "bun" },
  { acceptor: "bun", dialer: "deno" },
  { acceptor: "deno", dialer: "bun" },
];

for (const { acceptor, dialer } of PAIRS) {
  describe(`between a ${dialer} node dialing a ${acceptor} node through a recording proxy`, () => {
    test("the cookie never crosses the wire, during the handshake or the calls after it", async () => {
      const cookie = distinctive("wire-cookie-never-sent");
      cluster = new Cluster({ cookie });
      proxy = new RecordingProxy();
      const a = await cluster.start("a@localhost", { flavor: acceptor });
      await cluster.start("b@localhost", { flavor: dialer });
      const port = await proxy.start(a.port);

      const join = await cluster.cli(["join", `a@localhost:${port}`, "--node", "b@localhost"]);
      expect(join.stderr).toBe("");
      expect(join.code).toBe(0);
      expect(proxy.connections).toHaveLength(1);

      // Calls both ways over the one link, each carrying a marker that must show up in the frames.
      const there = await cluster.cli(["call", "a@localhost", "rpc", "echo", "marker-from-b-to-a", "--node", "b@localhost"]);
      expect(there.stdout).toBe('"marker-from-b-to-a"\n');
      const back = await cluster.cli(["call", "b@localhost", "rpc", "echo", "marker-from-a-to-b", "--node", "a@localhost"]);
      expect(back.stdout).toBe('"marker-from-a-to-b"\n');
      expect((await cluster.cli(["ping", "a@localhost", "--node", "b@localhost"])).stdout).toBe("pong\n");
      // Still the one proxied connection: nothing went around the proxy.
      expect(proxy.connections).toHaveLength(1);

      expect((await cluster.cli(["stop", "--node", "b@localhost"])).code).toBe(0);
      const rec = proxy.connections[0];
      await within(rec.closed, 10_000, "the proxied connection to close");

      const conn = analyse(rec);
      const { up, down, rawUp } = conn;
      expect(leaks(views(conn), [cookie])).toEqual([]);

      // Positive controls: what the search would find had the cookie been sent.
      expect(contains(up.payloads, text("b@localhost"))).toBe(true);
      expect(contains(up.payloads, text("a@localhost"))).toBe(true);
      expect(contains(down.payloads, text("a@localhost"))).toBe(true);
      expect(contains(up.payloads, text("marker-from-b-to-a"))).toBe(true);
      expect(contains(down.payloads, text("marker-from-a-to-b"))).toBe(true);
      // The masked bytes hide them from a search of the raw stream: unmasking is needed.
      expect(contains(rawUp, text("marker-from-b-to-a"))).toBe(false);
    });

    test("a node with the wrong cookie is refused, and neither cookie crosses the wire", async () => {
      const right = distinctive("wire-right-cookie");
      const wrong = distinctive("wire-wrong-cookie");
      cluster = new Cluster({ cookie: right });
      proxy = new RecordingProxy();
      const a = await cluster.start("a@localhost", { flavor: acceptor });
      const c = await cluster.start("c@localhost", { flavor: dialer, cookie: wrong });
      const port = await proxy.start(a.port);

      const join = await cluster.cli(["join", `a@localhost:${port}`, "--node", "c@localhost"]);
      expect(join.code).toBe(3);
      expect(join.stderr).toContain("cookie");
      await waitFor("both logs to say why", () =>
        /handshake_refused.*reason=cookie/.test(a.log()) && /handshake_refused.*reason=cookie/.test(c.log()));
      expect((await cluster.cli(["nodes", "--node", "a@localhost"])).stdout).toBe("");
      expect((await cluster.cli(["nodes", "--node", "c@localhost"])).stdout).toBe("");

      expect(proxy.connections.length).toBeGreaterThanOrEqual(1);
      for (const rec of proxy.connections) {
        await within(rec.closed, 10_000, "the refused connection to close");
        const conn = analyse(rec);
        const { up, down } = conn;
        expect(leaks(views(conn), [right, wrong])).toEqual([]);
        expect(contains(up.payloads, text("c@localhost"))).toBe(true);
        expect(contains(down.payloads, text("a@localhost"))).toBe(true);
        // The refusal itself travelled: a says why, naming the cookie as the reason but not its value.
        expect(contains(down.payloads, text("cookie"))).toBe(true);
      }
    });
  });
}
