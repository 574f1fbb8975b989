/**
 * A node's one TCP port, both ways: it listens for HTTP (the edges) and for
 * `/dist` upgrades to links, with TLS read from PEM files, and it dials other
 * nodes' ports. A port it cannot take, or a PEM file it cannot read, is a
 * start error that says what to check.
 *
 * @module
 */
import { dialHost, parseNodeName } from "../core/name.ts";
import { WIRE_MESSAGE_MAX } from "../distribution/fragments.ts";
import { lookupPort } from "../epmd/client.ts";
import type { ConnInfo, Server, Transport } from "../runtime/types.ts";
import { DEFAULTS, type NodeOptions, type NodeParts, NodeStartError } from "./options.ts";

async function readPem(p: NodeParts, file: string, flag: string): Promise<string> {
  try {
    return await p.rt.readTextFile(file);
  } catch (err) {
    throw new NodeStartError("unreadable_file", `Cannot read ${flag} ${file}: ${(err as Error).message}; give a readable PEM file`);
  }
}

/**
 * Serves `fetch`, and hands each connection upgraded at `/dist` to `accept`.
 * Throws NodeStartError: `unreadable_file` for a PEM file, `listen_failed`.
 */
export async function listen(
  p: NodeParts,
  o: NodeOptions,
  fetch: (req: Request, info: ConnInfo) => Response | Promise<Response>,
  accept: (t: Transport) => void,
): Promise<Server> {
  const tls = o.tls && {
    cert: await readPem(p, o.tls.certFile, "--tls-cert"),
    key: await readPem(p, o.tls.keyFile, "--tls-key"),
  };
  const port = o.port ?? DEFAULTS.port;
  try {
    return await p.rt.serve({
      hostname: p.listen,
      port,
      tls,
      fetch,
      idleTimeoutSeconds: o.httpIdleTimeoutSeconds ?? DEFAULTS.httpIdleTimeoutSeconds,
      upgrade: (req) => (new URL(req.url).pathname === "/dist" ? accept : undefined),
      // Links fragment larger messages: a stranger can make the node buffer at most this much.
      maxMessageBytes: WIRE_MESSAGE_MAX,
    });
  } catch (err) {
    const message = (err as Error).message;
    const hint = /PEM|certificate|private key/i.test(message)
      ? "--tls-cert and --tls-key must be a PEM certificate and its private key"
      : "check that --listen is an address of this host and --port is free (0 picks a free one)";
    throw new NodeStartError("listen_failed", `Cannot listen on ${p.listen}:${port}: ${message}; ${hint}`, { cause: err });
  }
}

/** Finds a node's port (in its name, or from the port mapper on its host) and opens a link connection. */
export async function dial(p: NodeParts, node: string): Promise<Transport> {
  const addr = parseNodeName(node);
  const host = dialHost(addr.host);
  const port = addr.port ?? await lookupPort({ host, epmdPort: p.epmdPort, name: addr.name });
  const url = `${p.scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/dist`;
  return await p.rt.dial(url, { timeoutMs: DEFAULTS.setupTimeoutMs, maxMessageBytes: WIRE_MESSAGE_MAX });
}
