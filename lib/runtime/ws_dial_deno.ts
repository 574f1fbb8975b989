/**
 * `Runtime.dial` on Deno: a TCP connection (`Deno.connect`, Nagle off;
 * `Deno.startTls` on it for wss://), then `ws_client.ts`'s handshake and
 * transport. Deno's built-in WebSocket client is not used: it writes a frame
 * in two writes with Nagle on, so every message over 1 KiB waited ~44 ms for
 * the peer's delayed ACK. Loaded only by `deno.ts`.
 *
 * @module
 */
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, type DialOptions, type Transport } from "./types.ts";
import { clientTransport, openingHandshake } from "./ws_client.ts";

function closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // Already closed.
  }
}

/**
 * Opens a client WebSocket (`ws://` or `wss://`). Rejects with an Error
 * saying why (refused, timed out, not a WebSocket server) when it does not open.
 */
export async function dialDeno(url: string, options: DialOptions): Promise<Transport> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    throw new Error(`Cannot open ${url}: ${(err as Error).message}`);
  }
  if (target.protocol !== "ws:" && target.protocol !== "wss:") throw new Error(`Cannot open ${url}: not a ws:// or wss:// URL`);
  const tls = target.protocol === "wss:";
  const port = Number(target.port) || (tls ? 443 : 80);
  // Deno.connect wants an IPv6 address without its brackets.
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  let conn: Deno.Conn | undefined;
  let gaveUp = false;
  const open = async () => {
    let tcp: Deno.TcpConn;
    try {
      tcp = await Deno.connect({ hostname, port });
    } catch {
      throw new Error(`connection to ${url} refused or failed`);
    }
    conn = tcp;
    if (gaveUp) throw new Error(`connecting to ${url} gave up`);
    tcp.setNoDelay(true);
    if (tls) {
      try {
        conn = await Deno.startTls(tcp, { hostname });
        await (conn as Deno.TlsConn).handshake();
      } catch (err) {
        throw new Error(`connection to ${url} refused or failed: TLS: ${(err as Error).message}`);
      }
    }
    const initial = await openingHandshake(conn, target);
    return clientTransport(conn, target.hostname, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, initial);
  };
  try {
    return await deadline(open(), options.timeoutMs);
  } catch (err) {
    gaveUp = true;
    closeQuietly(conn);
    if (!isTimeoutError(err)) throw err;
    throw new Error(`connecting to ${url} timed out after ${options.timeoutMs} ms`);
  }
}
