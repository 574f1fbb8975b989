/**
 * An epmd-compatible port mapper, served when the host has no `epmd`
 * binary: it answers ALIVE2_REQ (holding each registration for as long as
 * its connection lives), PORT_PLEASE2_REQ and NAMES_REQ as epmd does, so
 * `erl`, `epmd -names` and `net_adm:names()` work against it. Like ergo's
 * embedded one, it forgets the Erlang nodes registered with it when it stops.
 *
 * @module
 */
import type { TcpNet, TcpStream } from "../runtime/tcp_types.ts";
import {
  alive2Response,
  EPMD,
  namesResponse,
  type NodeInfo,
  portResponse,
  readAlive2Request,
} from "./epmd_protocol.ts";
import { StreamReader } from "./stream_reader.ts";

export interface EpmdServer {
  readonly port: number;
  /** The nodes registered now. */
  names(): NodeInfo[];
  /** Stops listening and drops every registration. */
  close(): Promise<void>;
}

// A client that sends no request within this long is dropped.
const REQUEST_TIMEOUT_MS = 10_000;

/** One connection: read one request, answer it; an ALIVE2_REQ's connection stays open as the registration. */
async function serveConnection(
  stream: TcpStream,
  port: number,
  nodes: Map<string, NodeInfo>,
  nextCreation: () => number,
): Promise<void> {
  const reader = new StreamReader(stream);
  const idle = setTimeout(() => stream.close(), REQUEST_TIMEOUT_MS);
  let head: Uint8Array;
  let body: Uint8Array;
  try {
    head = await reader.read(2);
    const length = new DataView(head.buffer, head.byteOffset, 2).getUint16(0);
    if (length === 0) return stream.close();
    body = await reader.read(length);
  } catch {
    return stream.close();
  } finally {
    clearTimeout(idle);
  }
  const tag = body[0];
  const rest = body.subarray(1);
  if (tag === EPMD.ALIVE2_REQ) {
    const info = readAlive2Request(rest);
    if (!info || info.name === "" || nodes.has(info.name)) {
      stream.write(alive2Response(false, 0));
      return stream.end();
    }
    nodes.set(info.name, info);
    stream.write(alive2Response(true, nextCreation()));
    await reader.closed();
    if (nodes.get(info.name) === info) nodes.delete(info.name);
    return;
  }
  if (tag === EPMD.PORT_PLEASE2_REQ) {
    stream.write(portResponse(nodes.get(new TextDecoder().decode(rest))));
  } else if (tag === EPMD.NAMES_REQ) {
    stream.write(namesResponse(port, [...nodes.values()]));
  }
  stream.end();
}

/**
 * Serves the port mapper protocol on `hostname:port`.
 *
 * Rejects when the port cannot be bound (taken: an epmd may already run there).
 */
export async function serveEpmd(net: TcpNet, options: { hostname: string; port: number }): Promise<EpmdServer> {
  const nodes = new Map<string, NodeInfo>();
  // Creations are 32-bit and never 0; OTP 23+ nodes use them whole, epmd starts at a random one.
  let creation = 1 + Math.floor(Math.random() * 0xfffffff0);
  const nextCreation = () => (creation = creation >= 0xfffffffe ? 1 : creation + 1);
  let port = options.port;
  const server = await net.listenTcp(options, (stream) => {
    void serveConnection(stream, port, nodes, nextCreation);
  });
  port = server.port;
  return {
    port,
    names: () => [...nodes.values()],
    async close() {
      await server.close();
      nodes.clear();
    },
  };
}
