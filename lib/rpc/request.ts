/**
 * The shape of a call request as it arrives at an edge (HTTP body, control
 * plane): validated once here, so every edge answers `badarg` the same way.
 *
 * @module
 */
import { parseNodeName } from "../core/name.ts";
import { badarg, type BadArg, type Value } from "../result.ts";

export interface CallRequest {
  /** Absent: run on the receiving node. */
  node?: string;
  module: string;
  function: string;
  args: Value[];
  timeoutMs?: number;
}

/** setTimeout's limit; Erlang's `infinity` is not offered (a daemon must never wait forever). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Validates a `timeout` field; a BadArg says what is accepted. */
export function checkTimeout(t: unknown): number | BadArg {
  if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t > MAX_TIMEOUT_MS) {
    return badarg(`timeout must be a whole number of milliseconds between 0 and ${MAX_TIMEOUT_MS}`);
  }
  return t;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) &&
    !(x instanceof Date) && !(x instanceof Map);
}

/** Why `node` is not a node name (`name@host[:port]`), or undefined when it is one. */
export function badNodeName(node: unknown): BadArg | undefined {
  if (typeof node !== "string") return badarg('"node" must be a node name such as "fuga@localhost"');
  try {
    parseNodeName(node);
    return undefined;
  } catch (err) {
    return badarg((err as Error).message);
  }
}

/**
 * The checks every call gets, whichever edge it came from (HTTP, control
 * plane, library): a BadArg naming the first problem, or undefined. Absent
 * `node` and `timeout` are fine.
 */
export function checkCall(c: { node?: unknown; module: unknown; function: unknown; args: unknown; timeout?: unknown }) {
  if (c.node !== undefined) {
    const bad = badNodeName(c.node);
    if (bad) return bad;
  }
  if (typeof c.module !== "string" || c.module === "") return badarg('"module" must be a non-empty string');
  if (typeof c.function !== "string" || c.function === "") return badarg('"function" must be a non-empty string');
  if (!Array.isArray(c.args)) return badarg('"args" must be a list of arguments, e.g. [] or ["hoge@localhost"]');
  if (c.timeout !== undefined) {
    const t = checkTimeout(c.timeout);
    if (typeof t !== "number") return t;
  }
  return undefined;
}

const FIELDS = new Set(["node", "module", "function", "args", "timeout"]);

/**
 * Checks a decoded body `{node?, module, function, args?, timeout?}`.
 * Returns the request, or a BadArg naming the first problem. A missing
 * `args` means no arguments.
 */
export function parseCallRequest(body: unknown): CallRequest | BadArg {
  if (!isRecord(body)) {
    return badarg('The body must be a map: {"module": ..., "function": ..., "args": [...]}');
  }
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) return badarg(`Unknown field "${key}": expected node, module, function, args, timeout`);
  }
  // null means absent, as JSON clients often send it.
  const node = body.node ?? undefined;
  const timeout = body.timeout ?? undefined;
  const { module, args = [] } = body;
  const bad = checkCall({ node, module, function: body.function, args, timeout });
  if (bad) return bad;
  const req: CallRequest = { module: module as string, function: body.function as string, args: args as Value[] };
  if (node !== undefined) req.node = node as string;
  if (timeout !== undefined) req.timeoutMs = timeout as number;
  return req;
}
