/**
 * The floor of the small-call and multicall rows: the runtime's own
 * WebSocket, with no meshrpc code. `server` answers each binary message
 * with itself and prints `port N`; `client WARMUP N PORT...` sends 40 bytes
 * to every port at once, waits for every answer, and prints `us X`: the
 * microseconds per round over the last N rounds, after WARMUP rounds.
 *
 *   bun run test/bench/bare_ws.ts server
 *   bun run test/bench/bare_ws.ts client 30000 5000 PORT [PORT...]
 */
const [mode, ...rest] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process: { argv: string[] } }).process.argv.slice(2);

type Echo = { send(data: Uint8Array | ArrayBuffer): void };
const echo = (ws: Echo, data: unknown) => {
  if (typeof data !== "string") ws.send(data as ArrayBuffer);
};

function serve(): void {
  const g = globalThis as { Bun?: typeof Bun; Deno?: typeof Deno };
  if (g.Bun) {
    const server = g.Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("WebSocket only", { status: 400 })),
      websocket: { message: echo },
    });
    console.log(`port ${server.port}`);
  } else if (g.Deno) {
    const server = g.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const { socket, response } = g.Deno!.upgradeWebSocket(req);
      socket.binaryType = "arraybuffer";
      socket.onmessage = (ev) => echo(socket, ev.data);
      return response;
    });
    console.log(`port ${server.addr.port}`);
  }
}

async function client(warmup: number, n: number, ports: number[]): Promise<void> {
  const sockets = await Promise.all(ports.map((port) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.binaryType = "arraybuffer";
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`no WebSocket on port ${port}`));
    })
  ));
  let waiting = 0;
  let done = () => {};
  for (const ws of sockets) ws.onmessage = () => --waiting === 0 && done();
  const message = new Uint8Array(40);
  const round = () =>
    new Promise<void>((resolve) => {
      done = resolve;
      waiting = sockets.length;
      for (const ws of sockets) ws.send(message);
    });
  for (let i = 0; i < warmup; i++) await round();
  const started = performance.now();
  for (let i = 0; i < n; i++) await round();
  console.log(`us ${((performance.now() - started) * 1000 / n).toFixed(2)}`);
  for (const ws of sockets) ws.close();
}

if (mode === "server") {
  serve();
} else if (mode === "client") {
  // No top-level await: `bun build --bytecode` refuses it. A failure is an unhandled rejection (exit 1).
  void client(Number(rest[0]), Number(rest[1]), rest.slice(2).map(Number));
} else {
  throw new Error("usage: bare_ws.ts server | client WARMUP N PORT...");
}
