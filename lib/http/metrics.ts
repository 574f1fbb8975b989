/**
 * Counters for `/metrics`, in Prometheus' text format.
 *
 * @module
 */
import { KINDS, type Kind } from "../result.ts";

export type Direction = "served" | "made";

export interface Gauges {
  connectedNodes: number;
  uptimeSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  pendingCalls: number;
}

export class Metrics {
  #calls: Record<Direction, Record<Kind, number>> = {
    served: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
    made: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
  };
  #nodeups = 0;
  #nodedowns = 0;
  #refused = 0;

  call(direction: Direction, kind: Kind): void {
    this.#calls[direction][kind]++;
  }
  nodeup(): void {
    this.#nodeups++;
  }
  nodedown(): void {
    this.#nodedowns++;
  }
  refusedHandshake(): void {
    this.#refused++;
  }

  render(node: string, g: Gauges): string {
    const label = `node="${node}"`;
    const lines = [
      "# HELP meshrpc_calls_total Calls by direction (served here / made from here) and result kind.",
      "# TYPE meshrpc_calls_total counter",
    ];
    for (const dir of ["served", "made"] as const) {
      for (const kind of KINDS) {
        lines.push(`meshrpc_calls_total{${label},direction="${dir}",kind="${kind}"} ${this.#calls[dir][kind]}`);
      }
    }
    const gauge = (name: string, help: string, type: "gauge" | "counter", v: number) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${label}} ${v}`);
    gauge("meshrpc_connected_nodes", "Nodes with an open link.", "gauge", g.connectedNodes);
    gauge("meshrpc_pending_calls", "Calls made from here still waiting for an answer.", "gauge", g.pendingCalls);
    gauge("meshrpc_nodeup_total", "Links that came up.", "counter", this.#nodeups);
    gauge("meshrpc_nodedown_total", "Links that went down.", "counter", this.#nodedowns);
    gauge("meshrpc_handshakes_refused_total", "Handshakes refused (wrong cookie, wrong name).", "counter", this.#refused);
    gauge("meshrpc_uptime_seconds", "Seconds since the node started.", "gauge", g.uptimeSeconds);
    gauge("meshrpc_resident_memory_bytes", "Resident set size.", "gauge", g.rssBytes);
    gauge("meshrpc_heap_used_bytes", "JavaScript heap in use.", "gauge", g.heapUsedBytes);
    return lines.join("\n") + "\n";
  }
}
