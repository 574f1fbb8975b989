/**
 * The node's HTTP face: `POST /rpc`, `/health`, `/metrics`. A pure hono app,
 * handed what it needs; the runtime serves it and handles `/dist` upgrades.
 * `POST /rpc`, nearly every request, is answered ahead of hono's router (see
 * `createHttpApp`).
 *
 * @module
 */
import { Hono } from "hono";
import { TooLargeError } from "../codec/limits.ts";
import { concatBytes, constantTimeEqualText } from "../core/bytes.ts";
import { decode } from "../codec/cbor_decode.ts";
import { decodeJson } from "../codec/json_decode.ts";
import type { Limits } from "../codec/limits.ts";
import { badarg, type CallResult, DEFAULT_CALL_TIMEOUT_MS, unauthorized } from "../result.ts";
import { type CallRequest, parseCallRequest } from "../rpc/request.ts";
import type { ConnInfo } from "../runtime/types.ts";
import { type Logger, silentLogger } from "../core/log.ts";
import { DEFAULT_MAX_REQUESTS, limitRequests, RequestLimit } from "./limit.ts";
import { requestFormat, resultResponse, responseFormat } from "./body.ts";

// The runtime's per-request facts arrive as hono's env (`app.fetch(req, info)`); tests may pass none.
type Info = Partial<ConnInfo> | undefined;
type Env = { Bindings: Info };

export interface HttpAppOptions {
  cookie: string;
  limits: Limits;
  /** The call's outcome, at once when it has one. */
  call(req: CallRequest): CallResult | Promise<CallResult>;
  health(): Record<string, unknown>;
  metrics(): string;
  /** Requests served at once; more are refused with 503. Default `DEFAULT_MAX_REQUESTS`. */
  maxRequests?: number;
  /** Where `http_limit` goes. Default: nowhere. */
  log?: Logger;
}

// Time a call's answer may take beyond the call's own timeout (encoding, a forward's round trip).
const ANSWER_MARGIN_SECONDS = 5;

function bearer(header: string | null): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

function withStatus(res: Response, status: number): Response {
  return new Response(res.body, { status, headers: res.headers });
}

/** What hono's `c.text` answers, for the answers given without hono. */
function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=UTF-8" } });
}

/**
 * The body: undefined at once when its declared length is over `max`. A body
 * without a declared length (chunked, or a stream) is counted as it arrives
 * and not read past `max` (then it resolves undefined). The caller checks
 * the size of what it gets (a constructed Request may lie about its length).
 */
function readBody(req: Request, max: number): Promise<ArrayBuffer | Uint8Array | undefined> | undefined {
  const length = req.headers.get("content-length");
  if (length !== null && !req.headers.has("transfer-encoding")) {
    return parseInt(length, 10) > max ? undefined : req.arrayBuffer();
  }
  return req.body ? readStream(req.body, max) : Promise.resolve(new Uint8Array(0));
}

async function readStream(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks);
    size += value.length;
    if (size > max) {
      void reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
}

function internalError(err: unknown): Response {
  return text(`Internal error: ${err instanceof Error ? err.message : String(err)}\n`, 500);
}

type RpcHandler = (req: Request, info: Info, limit?: RequestLimit) => Promise<Response>;

/**
 * `POST /rpc`: authenticate, read and decode the body, call, answer (SPEC §4).
 * Holds a slot of `limit` while it runs, when given one; a throw is a 500.
 */
function rpcHandler(options: HttpAppOptions): RpcHandler {
  const { limits } = options;
  const cookie = options.cookie;
  return async (req, info, limit) => {
    const refused = limit?.enter();
    if (refused) return refused;
    try {
      const headers = req.headers;
      const inFormat = requestFormat(headers.get("content-type") ?? undefined);
      const outFormat = responseFormat(headers.get("accept") ?? undefined, inFormat);
      const token = bearer(headers.get("authorization"));
      // Compared in time independent of where the strings differ.
      if (token === undefined || !constantTimeEqualText(token, cookie)) {
        const res = resultResponse(unauthorized(), outFormat);
        res.headers.set("www-authenticate", 'Bearer realm="meshrpc"');
        return res;
      }
      if (!inFormat) {
        return resultResponse(badarg("Send the body as content-type application/json or application/cbor"), outFormat);
      }
      let body: unknown;
      try {
        const read = readBody(req, limits.maxBytes);
        const data = read && await read;
        if (!data || data.byteLength > limits.maxBytes) {
          const res = resultResponse(badarg(`The body is larger than ${limits.maxBytes} bytes: send smaller arguments`), outFormat);
          return withStatus(res, 413);
        }
        const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
        body = inFormat === "cbor" ? decode(bytes, limits) : decodeJson(bytes, limits);
      } catch (err) {
        const res = resultResponse(badarg(`Cannot decode the ${inFormat} body: ${(err as Error).message}`), outFormat);
        return err instanceof TooLargeError ? withStatus(res, 413) : res;
      }
      const call = parseCallRequest(body);
      if ("kind" in call) return resultResponse(call, outFormat);
      // The call may outlast the server's idle timeout: its own timeout decides
      const restore = info?.expectLong?.((call.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) / 1000 + ANSWER_MARGIN_SECONDS);
      try {
        const outcome = options.call(call);
        return resultResponse(outcome instanceof Promise ? await outcome : outcome, outFormat);
      } finally {
        restore?.();
      }
    } catch (err) {
      return internalError(err);
    } finally {
      limit?.leave();
    }
  };
}

/** The path is `/rpc` exactly, as hono reads it (from the first `/` after the scheme, up to `?` or `#`). */
function isRpcPath(url: string): boolean {
  const start = url.indexOf("/", url.indexOf(":") + 4);
  if (start < 0 || !url.startsWith("/rpc", start)) return false;
  const end = start + 4;
  return end === url.length || url[end] === "?" || url[end] === "#";
}

/**
 * The app. `POST /rpc` with a plainly written path is answered by its
 * handler straight from `fetch`, under the same request cap and with the
 * same 500 for a throw: hono's routing, context and middleware chain cost
 * more than the handler itself. Every other request, `/rpc` spelt with
 * percent escapes included, goes through hono's routes.
 */
export function createHttpApp(options: HttpAppOptions): Hono<Env> {
  const limit = new RequestLimit({ max: options.maxRequests ?? DEFAULT_MAX_REQUESTS, log: options.log ?? silentLogger });
  const rpc = rpcHandler(options);
  const app = new Hono<Env>();
  app.use(limitRequests(limit));

  app.get("/health", (c) => c.json(options.health()));
  app.get("/metrics", (c) => c.text(options.metrics(), 200, { "content-type": "text/plain; version=0.0.4" }));
  app.post("/rpc", (c) => rpc(c.req.raw, c.env));
  app.all("/rpc", (c) => c.text("Use POST /rpc with a JSON or CBOR body\n", 405, { allow: "POST" }));
  app.notFound((c) => c.text("Not found: meshrpc serves POST /rpc, GET /health and GET /metrics\n", 404));
  app.onError((err) => internalError(err));

  const route = app.fetch;
  // `app.request()` (the tests') goes through `app.fetch` too.
  app.fetch = (req, info, ctx) => (req.method === "POST" && isRpcPath(req.url) ? rpc(req, info, limit) : route(req, info, ctx));
  return app;
}
