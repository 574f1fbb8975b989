/**
 * How a `CallResult` travels in a reply frame: an array led by the index of
 * its kind in `KINDS` (lib/result.ts, the one table of kinds), then its
 * fields in a fixed order:
 * `[0, value]`, `[1, name, message, stack or null(, data)]`, `[2, module, function]`,
 * `[3, node(, reason)]`, `[4, node, timeoutMs]`, `[5, message]`, `[6]`.
 *
 * @module
 */
import { type CallResult, type Exception, KINDS, type Kind, type Value } from "../result.ts";
import { fail, millis, str } from "./frame_fields.ts";

// The index of each kind in KINDS, for the encoder's hot path.
const TAG = Object.fromEntries(KINDS.map((kind, i) => [kind, i])) as Record<Kind, number>;

/** The array for a result. Throws TypeError for an object that is not a CallResult. */
export function encodeResult(r: CallResult): unknown[] {
  switch (r.kind) {
    case "ok":
      return [TAG.ok, r.value];
    case "exception":
      return r.data === undefined
        ? [TAG.exception, r.name, r.message, r.stack ?? null]
        : [TAG.exception, r.name, r.message, r.stack ?? null, r.data];
    case "undef":
      return [TAG.undef, r.module, r.function];
    case "noconnection":
      return r.reason === undefined ? [TAG.noconnection, r.node] : [TAG.noconnection, r.node, r.reason];
    case "timeout":
      return [TAG.timeout, r.node, r.timeoutMs];
    case "badarg":
      return [TAG.badarg, r.message];
    case "unauthorized":
      return [TAG.unauthorized];
    default:
      throw new TypeError(`Not a CallResult: kind ${String((r as { kind?: unknown }).kind)}`);
  }
}

// The frame a result travels in, as errors name it.
const WHAT = "reply";

function needs(kind: string, fields: string): never {
  return fail(WHAT, `a ${kind} result needs ${fields}`);
}

/** The result an array stands for. Throws FrameError naming what is wrong. */
export function decodeResult(x: unknown): CallResult {
  if (!Array.isArray(x) || x.length === 0) fail(WHAT, "result must be a non-empty array");
  const kind = KINDS[x[0] as number];
  if (typeof x[0] !== "number" || kind === undefined) fail(WHAT, `unknown result kind ${String(x[0])}`);
  switch (kind) {
    case "ok":
      if (x.length !== 2) needs(kind, "exactly a value");
      return { kind, value: x[1] as Value };
    case "exception": {
      if (x.length !== 4 && x.length !== 5) needs(kind, "a name, a message, a stack and optional data");
      const e: Exception = {
        kind,
        name: str(x[1], WHAT, "exception name"),
        message: str(x[2], WHAT, "exception message"),
      };
      if (x[3] !== null) e.stack = str(x[3], WHAT, "exception stack");
      if (x.length === 5) e.data = x[4] as Value;
      return e;
    }
    case "undef":
      if (x.length !== 3) needs(kind, "a module and a function");
      return { kind, module: str(x[1], WHAT, "module"), function: str(x[2], WHAT, "function") };
    case "noconnection":
      if (x.length !== 2 && x.length !== 3) needs(kind, "a node and an optional reason");
      return x.length === 2
        ? { kind, node: str(x[1], WHAT, "node") }
        : { kind, node: str(x[1], WHAT, "node"), reason: str(x[2], WHAT, "reason") };
    case "timeout":
      if (x.length !== 3) needs(kind, "a node and a timeout");
      return { kind, node: str(x[1], WHAT, "node"), timeoutMs: millis(x[2], WHAT, "timeoutMs") };
    case "badarg":
      if (x.length !== 2) needs(kind, "a message");
      return { kind, message: str(x[1], WHAT, "message") };
    case "unauthorized":
      if (x.length !== 1) needs(kind, "no fields");
      return { kind };
  }
}
