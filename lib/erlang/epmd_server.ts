/**
 * An epmd-compatible port mapper, served when the host has no `epmd`
 * binary: it answers ALIVE2_REQ (holding each registration for as long as
 * its connection lives), PORT_PLEASE2_REQ and NAMES_REQ as epmd does, so
 * `erl`, `epmd -names` and `net_adm:names()` work against it.
 *
 * @module
 */
import type { TcpNet } from "../runtime/types.ts";

export interface EpmdServer {
  readonly port: number;
  /** Stops listening and drops every registration. */
  close(): Promise<void>;
}

/**
 * Serves the port mapper protocol on `hostname:port`.
 *
 * Rejects when the port cannot be bound (taken: an epmd may already run there).
 */
export function serveEpmd(net: TcpNet, options: { hostname: string; port: number }): Promise<EpmdServer> {
  void net, options;
  throw new Error("not implemented");
}
