/**
 * The reference of the `POST /rpc` row: a bare Bun.serve (Deno.serve under
 * Deno) doing the same JSON work as a node answering rpc.echo locally: check
 * the bearer cookie, parse the body, check its fields, answer `{"ok": value}`.
 * Prints `port N` once it listens. The cookie comes from BENCH_COOKIE.
 */
const cookie = `Bearer ${(globalThis as { process?: { env: Record<string, string> } }).process?.env.BENCH_COOKIE ?? ""}`;

async function handle(req: Request): Promise<Response> {
  if (req.method !== "POST" || new URL(req.url).pathname !== "/rpc") return new Response("not found", { status: 404 });
  if (req.headers.get("authorization") !== cookie) return new Response("unauthorized", { status: 401 });
  const body = await req.json();
  if (typeof body.module !== "string" || typeof body.function !== "string" || !Array.isArray(body.args)) {
    return Response.json({ error: { kind: "badarg" } }, { status: 400 });
  }
  return Response.json({ ok: body.args[0] });
}

const g = globalThis as { Bun?: typeof Bun; Deno?: { serve(o: object, h: typeof handle): { addr: { port: number } } } };
if (g.Bun) {
  const server = g.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  console.log(`port ${server.port}`);
} else if (g.Deno) {
  const server = g.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  console.log(`port ${server.addr.port}`);
}
