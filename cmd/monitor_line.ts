/**
 * What `meshrpc monitor` prints for an event. Node names and `nodedown`
 * reasons can come from a peer (a refusal text, a hostile peer's close
 * reason): printed raw, an ESC sequence in one could retitle, recolour or
 * rewrite the operator's terminal, and a newline could forge a line.
 *
 * @module
 */
import type { NodeEvent } from "../lib/core/events.ts";

// C0 controls (newlines and ESC among them), DEL, C1 controls (CSI is U+009B),
// line and paragraph separators, and the bidirectional overrides and isolates
// that make text read differently from what it is.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves as is among those (it escapes C0 itself).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

/** `text` with every character a terminal would act on written as `\uXXXX`. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** JSON text of `value` with those characters escaped too (still the same JSON). */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, escapeChar);
}

/** The line `monitor` prints for an event, in text or JSON. Never throws. */
export function monitorLine(e: NodeEvent, format: "text" | "json"): string {
  if (format === "json") return terminalSafeJson(e);
  const date = new Date(e.time);
  const time = Number.isNaN(date.getTime()) ? String(e.time) : date.toISOString();
  const node = terminalSafe(String(e.node));
  return e.type === "nodeup"
    ? `${time} nodeup ${node}`
    : `${time} nodedown ${node} (${terminalSafe(String(e.reason))})`;
}
