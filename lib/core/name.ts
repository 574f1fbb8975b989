/**
 * Node names: `name@host`, optionally `name@host:port` (which skips the port
 * mapper). Pure functions; resolving the host is the caller's job.
 *
 * @module
 */

/** A parsed node name. `full` is `name@host`, the node's identity. */
export interface NodeAddress {
  name: string;
  host: string;
  /** Set when the text named a port (`name@host:port`). */
  port?: number;
  full: string;
}

/** A TCP port a node can listen on or be reached at: an integer from 1 to 65535. */
export function isPort(port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
}

/** The part before the @: what the port mapper registers. */
export const NAME_PART = /^[A-Za-z0-9_.-]{1,64}$/;
// A DNS name or an IPv4 address; IPv6 literals go in brackets: name@[::1]:4000.
const HOST_PART = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*$|^\[[0-9A-Fa-f:.]+\]$/;

// Every call names its node, most of them one of a few: the names parsed
// lately are remembered (bounded: forgotten all at once when full).
const parsed = new Map<string, Readonly<NodeAddress>>();
const PARSED_MAX = 1024;

/**
 * Parses `name@host[:port]`. Throws RangeError with a message that says what
 * is wrong and what a valid name looks like. The result is frozen (shared
 * by every caller that parses the same text).
 */
export function parseNodeName(text: string): Readonly<NodeAddress> {
  const known = parsed.get(text);
  if (known) return known;
  const address = Object.freeze(parse(text));
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, address);
  return address;
}

function parse(text: string): NodeAddress {
  if (typeof text !== "string" || text.length === 0) {
    throw new RangeError("A node name is required, as name@host (for example hoge@localhost)");
  }
  const at = text.indexOf("@");
  if (at < 0) {
    throw new RangeError(`Invalid node name "${text}": expected name@host (for example ${text}@localhost)`);
  }
  const name = text.slice(0, at);
  let host = text.slice(at + 1);
  let port: number | undefined;
  const m = /^(.*):(\d{1,5})$/.exec(host);
  if (m) {
    host = m[1];
    port = Number(m[2]);
    if (!isPort(port)) {
      throw new RangeError(`Invalid port in node name "${text}": use 1-65535`);
    }
  }
  if (!NAME_PART.test(name)) {
    throw new RangeError(
      `Invalid node name "${text}": the part before @ may hold only letters, digits, "_", "-" and "." (1-64 characters)`,
    );
  }
  if (!HOST_PART.test(host) || host.length > 253) {
    throw new RangeError(`Invalid host in node name "${text}": "${host}" is not a host name or IP address`);
  }
  host = host.toLowerCase();
  return port === undefined ? { name, host, full: `${name}@${host}` } : { name, host, port, full: `${name}@${host}` };
}

/**
 * The name a node starts with, from `--sname`/`--name`: `hoge` becomes
 * `hoge@<hostname>` (the short one for `--sname`, as Erlang does).
 * Throws RangeError like `parseNodeName`.
 */
export function nodeNameFrom(text: string, hostname: string, long: boolean): NodeAddress {
  if (text.includes("@")) return parseNodeName(text);
  const host = long ? hostname : hostname.split(".")[0];
  return parseNodeName(`${text}@${host}`);
}

/** The host to connect to: brackets around an IPv6 literal are for names, not sockets. */
export function dialHost(host: string): string {
  return host.startsWith("[") ? host.slice(1, -1) : host;
}
