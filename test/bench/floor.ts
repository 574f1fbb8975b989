/**
 * The runtime's floor under the small-call and multicall rows: the same
 * round trips over the runtime's own WebSocket with no meshrpc code
 * (bare_ws.ts), measured in the same run with the same warm-ups, so that
 * each run shows how far a row is from what the runtime itself can do.
 *
 * @module
 */
import { join } from "node:path";
import { type Flavor, ROOT } from "../support/cluster.ts";
import { listening, type Listening, runAs, runTool } from "./programs.ts";
import { WARMUP } from "./warmup.ts";

export interface Floor {
  /** One echo server, sequential round trips per second. */
  pingPong: number;
  /** Three echo servers written to at once, rounds per second. */
  fanOut: number;
}

async function rounds(argv: string[], warmup: number, n: number, ports: number[]): Promise<number> {
  const out = await runTool([...argv, "client", String(warmup), String(n), ...ports.map(String)]);
  const us = /^us ([\d.]+)$/m.exec(out);
  if (!us) throw new Error(`bare_ws.ts client printed no "us" line: ${out}`);
  return 1e6 / Number(us[1]);
}

/** Measures both floors: `n` rounds each, after the warm-ups the rows get. */
export async function bareWebSocketFloor(flavor: Flavor, dir: string, n: number): Promise<Floor> {
  const argv = runAs(flavor, join(ROOT, "test/bench/bare_ws.ts"), dir);
  const servers: Listening[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await listening([...argv, "server"], process.env as Record<string, string>));
    const ports = servers.map((s) => s.port);
    return {
      pingPong: await rounds(argv, WARMUP.sequential, n, ports.slice(0, 1)),
      fanOut: await rounds(argv, WARMUP.multicalls, n, ports),
    };
  } finally {
    for (const s of servers) s.stop();
  }
}
