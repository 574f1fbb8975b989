/**
 * The client's half of the WebSocket opening handshake (RFC 6455 §4.1), as
 * pure functions over text and bytes: the upgrade request, and the checks on
 * the server's answer (status 101, the upgrade headers, the accept key).
 *
 * @module
 */

/** The most response header bytes read before giving up on a server. */
export const MAX_RESPONSE_HEAD_BYTES = 8 * 1024;

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
export function randomKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** The Sec-WebSocket-Accept a server must answer `key` with: base64(SHA-1(key + GUID)). */
export async function acceptFor(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID)));
  return btoa(String.fromCharCode(...digest));
}

/** The GET request that asks `url` (ws: or wss:) for a WebSocket. */
export function upgradeRequest(url: URL, key: string): Uint8Array {
  const lines = [
    `GET ${url.pathname || "/"}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
  ];
  return new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
}

/**
 * Where the response head ends (the index after its blank line), or -1 when
 * it has not arrived yet; the search starts at `from`.
 */
export function headEnd(bytes: Uint8Array, from = 0): number {
  for (let i = from + 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  return -1;
}

/**
 * Checks a response head (the text before the blank line) against the key
 * sent. Returns undefined when the server accepted the upgrade, else what is
 * wrong with it, to follow the server's URL in a "not a WebSocket server: URL ..." message.
 */
export async function checkResponse(head: string, key: string): Promise<string | undefined> {
  const [statusLine, ...lines] = head.split("\r\n");
  const status = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!status) return `answered with no HTTP/1.1 status line (${JSON.stringify(statusLine.slice(0, 40))})`;
  if (status[1] !== "101") return `answered HTTP ${status[1]}${status[2] ? ` ${status[2]}` : ""}`;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return "answered 101 without Upgrade: websocket";
  if (!/(^|,)\s*upgrade\s*(,|$)/i.test(headers.get("connection") ?? "")) return "answered 101 without Connection: Upgrade";
  if (headers.get("sec-websocket-accept") !== await acceptFor(key)) return "answered with a Sec-WebSocket-Accept that does not match the key sent";
  // None were asked for: a server that picks one would send frames this client cannot read.
  if (headers.has("sec-websocket-extensions")) return "chose an extension that was not offered";
  return undefined;
}
