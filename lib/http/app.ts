/**
 * The node's HTTP face: `POST /rpc`, `/health`, `/metrics`. A pure hono app,
 * handed what it needs; the runtime serves it and handles `/dist` upgrades.
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { TooLargeError } from "../codec/limits.ts";
import { constantTimeEqual } from "../core/bytes.ts";
import { decode } from "../codec/cbor_decode.ts";
import { decodeJson } from "../codec/json_decode.ts";
import type { Limits } from "../codec/limits.ts";
import { badarg, type CallResult, DEFAULT_CALL_TIMEOUT_MS, unauthorized } from "../result.ts";
import { type CallRequest, parseCallRequest } from "../rpc/request.ts";
import type { ConnInfo } from "../runtime/types.ts";
import { type Logger, silentLogger } from "../core/log.ts";
import { DEFAULT_MAX_REQUESTS, limitRequests } from "./limit.ts";
import { type Format, requestFormat, resultResponse, responseFormat } from "./body.ts";

// The runtime's per-request facts arrive as hono's env (`app.fetch(req, info)`); tests may pass none.
type Env = { Bindings: Partial<ConnInfo> | undefined; Variables: { inFormat: Format; outFormat: Format } };

export interface HttpAppOptions {
  cookie: string;
  limits: Limits;
  call(req: CallRequest): Promise<CallResult>;
  health(): Record<string, unknown>;
  metrics(): string;
  /** Requests served at once; more are refused with 503. Default `DEFAULT_MAX_REQUESTS`. */
  maxRequests?: number;
  /** Where `http_limit` goes. Default: nowhere. */
  log?: Logger;
}

// Time a call's answer may take beyond the call's own timeout (encoding, a forward's round trip).
const ANSWER_MARGIN_SECONDS = 5;

const encoder = new TextEncoder();

/** Compares in time independent of where the strings differ. */
function sameSecret(a: string, b: string): boolean {
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

function withStatus(res: Response, status: number): Response {
  return new Response(res.body, { status, headers: res.headers });
}

export function createHttpApp(options: HttpAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  app.use(limitRequests({ max: options.maxRequests ?? DEFAULT_MAX_REQUESTS, log: options.log ?? silentLogger }));

  app.get("/health", (c) => c.json(options.health()));
  app.get("/metrics", (c) => c.text(options.metrics(), 200, { "content-type": "text/plain; version=0.0.4" }));

  app.post(
    "/rpc",
    async (c, next) => {
      const inFormat = requestFormat(c.req.header("content-type"));
      const outFormat = responseFormat(c.req.header("accept"), inFormat);
      const token = bearer(c.req.header("authorization"));
      if (token === undefined || !sameSecret(token, options.cookie)) {
        const res = resultResponse(unauthorized(), outFormat);
        res.headers.set("www-authenticate", 'Bearer realm="meshrpc"');
        return res;
      }
      if (!inFormat) {
        return resultResponse(
          badarg("Send the body as content-type application/json or application/cbor"),
          outFormat,
        );
      }
      c.set("inFormat", inFormat);
      c.set("outFormat", outFormat);
      await next();
    },
    bodyLimit({
      maxSize: options.limits.maxBytes,
      onError: (c) => {
        const format = responseFormat(c.req.header("accept"), requestFormat(c.req.header("content-type")));
        const res = resultResponse(
          badarg(`The body is larger than ${options.limits.maxBytes} bytes: send smaller arguments`),
          format,
        );
        return withStatus(res, 413);
      },
    }),
    async (c) => {
      const inFormat = c.get("inFormat");
      const outFormat = c.get("outFormat");
      let body: unknown;
      try {
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        body = inFormat === "cbor" ? decode(bytes, options.limits) : decodeJson(bytes, options.limits);
      } catch (err) {
        const res = resultResponse(badarg(`Cannot decode the ${inFormat} body: ${(err as Error).message}`), outFormat);
        return err instanceof TooLargeError ? withStatus(res, 413) : res;
      }
      const req = parseCallRequest(body);
      if ("kind" in req) return resultResponse(req, outFormat);
      // The call may outlast the server's idle timeout: its own timeout decides
      c.env?.expectLong?.((req.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) / 1000 + ANSWER_MARGIN_SECONDS);
      return resultResponse(await options.call(req), outFormat);
    },
  );

  app.all("/rpc", (c) => c.text("Use POST /rpc with a JSON or CBOR body\n", 405, { allow: "POST" }));
  app.notFound((c) => c.text("Not found: meshrpc serves POST /rpc, GET /health and GET /metrics\n", 404));
  app.onError((err, c) => c.text(`Internal error: ${err.message}\n`, 500));
  return app;
}
