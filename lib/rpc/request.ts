/**
 * The shape of a call request as it arrives at an edge (HTTP body, control
 * plane): validated once here, so every edge answers `badarg` the same way.
 *
 * @module
 */
import { parseNodeName } from "../node/name.ts";
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
  const { node, module, args = [], timeout } = body;
  const fn = body.function;
  if (typeof module !== "string" || module === "") return badarg('"module" must be a non-empty string');
  if (typeof fn !== "string" || fn === "") return badarg('"function" must be a non-empty string');
  if (!Array.isArray(args)) return badarg('"args" must be a list of arguments, e.g. [] or ["hoge@localhost"]');
  const req: CallRequest = { module, function: fn, args: args as Value[] };
  if (node !== undefined && node !== null) {
    if (typeof node !== "string") return badarg('"node" must be a node name such as "fuga@localhost"');
    try {
      parseNodeName(node);
    } catch (err) {
      return badarg((err as Error).message);
    }
    req.node = node;
  }
  if (timeout !== undefined && timeout !== null) {
    const t = checkTimeout(timeout);
    if (typeof t !== "number") return t;
    req.timeoutMs = t;
  }
  return req;
}
