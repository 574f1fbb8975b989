/**
 * What `meshrpc monitor` prints for an event. Node names and `nodedown`
 * reasons can come from a peer (a refusal text, a hostile peer's close
 * reason): see `terminal.ts`.
 *
 * @module
 */
import type { NodeEvent } from "../lib/core/events.ts";
import { terminalSafe, terminalSafeJson } from "./terminal.ts";

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
