/**
 * The control plane's server side: a hono app the node serves on its Unix
 * socket (mode 0600: whoever can open it owns the node).
 *
 * @module
 */
import { Hono } from "hono";
import { decode } from "../codec/cbor_decode.ts";
import { encode } from "../codec/cbor_encode.ts";
import type { NodeEvent } from "../core/events.ts";
import { badarg, type CallResult } from "../result.ts";
import { badNodeName, type CallRequest, parseCallRequest } from "../rpc/request.ts";
import { type LoadRequest, type MulticallRequest, type NodeResult, type NodeStatus, ROUTES } from "./protocol.ts";

/** What the control plane drives: implemented by the node. */
export interface ControlTarget {
  status(): NodeStatus;
  call(req: CallRequest): Promise<CallResult>;
  cast(req: CallRequest): CallResult | Promise<CallResult>;
  multicall(req: MulticallRequest): Promise<NodeResult[]>;
  ping(node: string): Promise<"pong" | "pang">;
  join(node: string): Promise<CallResult>;
  disconnect(node: string): boolean;
  load(req: LoadRequest): Promise<NodeResult[]>;
  /** Starts a clean shutdown; returns at once. */
  stop(): void;
  /** Every nodeup/nodedown; returns the unsubscribe function. */
  subscribe(listener: (e: NodeEvent) => void): () => void;
}

function cbor(value: unknown, status = 200): Response {
  return new Response(encode(value) as BodyInit, { status, headers: { "content-type": "application/cbor" } });
}

async function body(req: Request): Promise<unknown> {
  return decode(new Uint8Array(await req.arrayBuffer()));
}

function nodeArg(b: unknown): string | CallResult {
  const node = (b as { node?: unknown } | null)?.node;
  return badNodeName(node) ?? (node as string);
}

function nodeList(nodes: unknown): string[] | CallResult | undefined {
  if (nodes === undefined || nodes === null) return undefined;
  if (!Array.isArray(nodes) || nodes.some((n) => typeof n !== "string")) {
    return badarg("nodes must be a list of node names");
  }
  for (const n of nodes) {
    const bad = badNodeName(n);
    if (bad) return bad;
  }
  return nodes as string[];
}

function isFailure(x: unknown): x is CallResult {
  return typeof x === "object" && x !== null && "kind" in x;
}

export function createControlApp(target: ControlTarget): Hono {
  const app = new Hono();

  app.get(ROUTES.status, () => cbor(target.status()));
  app.get(ROUTES.nodes, () => {
    const s = target.status();
    return cbor({ nodes: s.nodes, hidden: s.hiddenNodes });
  });
  app.post(ROUTES.call, async (c) => {
    const req = parseCallRequest(await body(c.req.raw));
    return cbor("kind" in req ? req : await target.call(req));
  });
  app.post(ROUTES.cast, async (c) => {
    const req = parseCallRequest(await body(c.req.raw));
    return cbor("kind" in req ? req : await target.cast(req));
  });
  app.post(ROUTES.multicall, async (c) => {
    const b = (await body(c.req.raw)) as Record<string, unknown>;
    const nodes = nodeList(b?.nodes);
    if (isFailure(nodes)) return cbor(nodes);
    const req = parseCallRequest({ module: b?.module, function: b?.function, args: b?.args, timeout: b?.timeout });
    if ("kind" in req) return cbor(req);
    return cbor(await target.multicall({ ...req, nodes }));
  });
  app.post(ROUTES.ping, async (c) => {
    const node = nodeArg(await body(c.req.raw));
    return cbor(typeof node === "string" ? { kind: "ok", value: await target.ping(node) } : node);
  });
  app.post(ROUTES.join, async (c) => {
    const node = nodeArg(await body(c.req.raw));
    return cbor(typeof node === "string" ? await target.join(node) : node);
  });
  app.post(ROUTES.disconnect, async (c) => {
    const node = nodeArg(await body(c.req.raw));
    return cbor(typeof node === "string" ? { kind: "ok", value: target.disconnect(node) } : node);
  });
  app.post(ROUTES.load, async (c) => {
    const b = (await body(c.req.raw)) as Record<string, unknown>;
    if (typeof b?.file !== "string" || typeof b?.source !== "string") {
      return cbor(badarg("load needs a file name and its source"));
    }
    const nodes = nodeList(b.nodes);
    if (isFailure(nodes)) return cbor(nodes);
    return cbor(await target.load({ file: b.file, source: b.source, nodes, all: b.all === true }));
  });
  app.post(ROUTES.stop, () => {
    // Answer first: the node removes this very socket while stopping.
    setTimeout(() => target.stop(), 0);
    return cbor({ kind: "ok", value: true });
  });
  app.get(ROUTES.events, () => {
    let unsubscribe = () => {};
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // A first line tells the client the subscription is live.
        controller.enqueue(encoder.encode(JSON.stringify({ type: "subscribed", node: target.status().node }) + "\n"));
        unsubscribe = target.subscribe((e) => controller.enqueue(encoder.encode(JSON.stringify(e) + "\n")));
      },
      cancel() {
        unsubscribe();
      },
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
  });

  app.onError((err) => cbor(badarg(`The control request could not be read: ${err.message}`)));
  return app;
}
