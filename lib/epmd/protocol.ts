/**
 * What the port mapper and its clients agree on: the default port, the
 * messages on a registration WebSocket, the close codes of a refusal, and the
 * small helpers both sides need (loopback test, HTTP base URL).
 *
 * A registration is one WebSocket to `/register?name=N&port=P[&pid=..&runtime=..]`.
 * Messages are small JSON objects in binary frames (meshrpc transports carry
 * bytes only):
 *
 * ```
 * node                                   mapper
 *  |-- upgrade /register?name&port ------->|  checks loopback, name, port
 *  |-- {kind:"register", token?} --------->|  the node speaks first
 *  |<------ {kind:"registered", token} ----|  (or {kind:"refused"} + close 4xxx)
 *  |-- {kind:"ping"} every heartbeatMs --->|  ignored; keeps idle timers quiet
 *  |-- {kind:"unregister"} --------------->|  name dropped
 *  |<----------- {kind:"unregistered"} ----|  then the socket closes
 * ```
 *
 * A socket that closes without `unregister` (the node died) drops the name too.
 * The token in `registered` is the node's claim to its name: it presents it
 * when it registers again, and a mapper that restarted keeps the names of its
 * previous run for the nodes that present their tokens (see `Registry`).
 * Messages are at most `MAX_MESSAGE_BYTES`; a bigger one ends the socket.
 *
 * @module
 */

export { DEFAULT_EPMD_PORT } from "./port.ts";

/** Identifies a meshrpc port mapper in `/health`, so a stranger on the port is not mistaken for one. */
export const EPMD_SERVICE = "meshrpc-epmd";

/** The largest registration message, in bytes: every message is a small JSON object. */
export const MAX_MESSAGE_BYTES = 4096;

/** Application close codes (4000-4999) for a refused or ended registration. */
export const CLOSE_CODES = {
  /** Missing or malformed `name` or `port`, or no `register` message in time. */
  badRequest: 4000,
  /** Another live node holds the name, or it is reserved for the node that held it before a restart. */
  nameTaken: 4001,
  /** The peer is not on this host (only loopback peers may register). */
  notLoopback: 4003,
  /** The mapper is shutting down; registrations end. */
  stopping: 4010,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Mapper to node. */
export type ServerMessage =
  | { kind: "registered"; name: string; port: number; token: string }
  | { kind: "refused"; code: CloseCode; message: string }
  | { kind: "unregistered"; name: string };

/** Node to mapper. */
export type ClientMessage = { kind: "register"; token?: string } | { kind: "ping" } | { kind: "unregister" };

/** The name part of a node name (`hoge` of `hoge@localhost`). */
export { NAME_PART as NAME_RULE } from "../core/name.ts";

/** One registered node, as `/names` lists it. */
export interface NameEntry {
  name: string;
  port: number;
  /** The node's process id, when it said. */
  pid?: number;
  /** "bun" or "deno", when it said. */
  runtime?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON in a binary frame. */
export function encodeMessage(message: ServerMessage | ClientMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

/** Parses a frame; undefined when it is not a JSON object with a string `kind` (the caller ignores it). */
export function decodeMessage(data: Uint8Array): { kind: string; [key: string]: unknown } | undefined {
  if (data.length > MAX_MESSAGE_BYTES) return undefined;
  try {
    const value = JSON.parse(decoder.decode(data));
    if (typeof value === "object" && value !== null && typeof value.kind === "string") return value;
  } catch {
    // Not JSON: a broken or foreign peer; ignoring it is the safe answer.
  }
  return undefined;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * `http://host:port` with IPv6 literals bracketed. `localhost` becomes
 * 127.0.0.1: the mapper may listen on IPv4 only, and `localhost` can resolve
 * to ::1 first.
 */
export function mapperBase(host: string, port: number, scheme: "http" | "ws" = "http"): string {
  let h = host === "localhost" ? "127.0.0.1" : host;
  if (h.includes(":") && !h.startsWith("[")) h = `[${h}]`;
  return `${scheme}://${h}:${port}`;
}
