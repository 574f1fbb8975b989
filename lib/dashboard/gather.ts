/**
 * The dashboard's data, gathered over the mesh as LiveDashboard does: each
 * node's `system.info` (and `system.activity` for one node) by rpc. A node
 * seen once stays listed, as down, while it is not connected, so a page
 * shows it go down and come back.
 *
 * @module
 */
import type { CallResult, Value } from "../result.ts";

/** What the dashboard needs of its node. */
export interface DashboardHost {
  /** This node's name. */
  self: string;
  /** The connected peers. */
  nodes(): { visible: string[]; hidden: string[] };
  /** A call through this node (to itself or over the mesh). */
  call(node: string, module: string, fn: string, args: Value[], timeoutMs: number): Promise<CallResult>;
}

/** One node on the overview. */
export interface NodeRow {
  node: string;
  self: boolean;
  hidden: boolean;
  /** Connected (or this node). */
  connected: boolean;
  /** Its `system.info`, when it answered. */
  info?: Record<string, Value>;
  modules?: number;
  /** Why it did not answer. */
  error?: string;
  /** When this node first saw it not connected (ms since the epoch). */
  downSince?: number;
  /** Its last `system.info` (shown greyed while it is down). */
  lastInfo?: Record<string, Value>;
}

/** The details of one node. */
export interface NodeDetails {
  node: string;
  info?: Record<string, Value>;
  activity?: Record<string, Value>;
  error?: string;
}

export const GATHER_TIMEOUT_MS = 2000;
/** Nodes remembered after they went down. */
const KNOWN_MAX = 256;

function failure(r: CallResult): string | undefined {
  if (r.kind === "ok") return undefined;
  switch (r.kind) {
    case "noconnection":
      return `noconnection${r.reason ? `: ${r.reason}` : ""}`;
    case "timeout":
      return `timeout: no answer within ${r.timeoutMs} ms`;
    case "exception":
      return `exception ${r.name}: ${r.message}`;
    case "undef":
      return `undef: ${r.module}.${r.function} (an older meshrpc?)`;
    default:
      return r.kind;
  }
}

function record(r: CallResult): Record<string, Value> | undefined {
  return r.kind === "ok" && r.value !== null && typeof r.value === "object" && !Array.isArray(r.value) &&
      !(r.value instanceof Uint8Array)
    ? r.value as Record<string, Value>
    : undefined;
}

export class Gatherer {
  #host: DashboardHost;
  #known = new Map<string, { hidden: boolean; downSince?: number }>();
  #lastInfo = new Map<string, Record<string, Value>>();

  constructor(host: DashboardHost) {
    this.#host = host;
  }

  get self(): string {
    return this.#host.self;
  }

  /** The nodes to list: this one, the connected ones, and those seen before. */
  nodeList(): { node: string; hidden: boolean; connected: boolean; downSince?: number }[] {
    const { visible, hidden } = this.#host.nodes();
    const connected = new Set([...visible, ...hidden]);
    for (const n of visible) this.#remember(n, false);
    for (const n of hidden) this.#remember(n, true);
    const others = [...this.#known].filter(([n]) => n !== this.#host.self).sort(([a], [b]) => a.localeCompare(b));
    for (const [node, k] of others) if (!connected.has(node)) k.downSince ??= Date.now();
    return [
      { node: this.#host.self, hidden: false, connected: true },
      ...others.map(([node, k]) => ({ node, hidden: k.hidden, connected: connected.has(node), downSince: k.downSince })),
    ];
  }

  #remember(node: string, hidden: boolean): void {
    // Re-inserted: the least recently connected node is the first forgotten.
    this.#known.delete(node);
    this.#known.set(node, { hidden });
    if (this.#known.size > KNOWN_MAX) {
      const oldest = this.#known.keys().next().value!;
      this.#known.delete(oldest);
      this.#lastInfo.delete(oldest);
    }
  }

  /** Every listed node's row; nodes not connected are not called (they show down at once). Never rejects. */
  overview(): Promise<NodeRow[]> {
    return Promise.all(this.nodeList().map(async (n): Promise<NodeRow> => {
      const row: NodeRow = { ...n, self: n.node === this.#host.self };
      if (!n.connected) return { ...row, error: "not connected", lastInfo: this.#lastInfo.get(n.node) };
      const [info, modules] = await Promise.all([
        this.#host.call(n.node, "system", "info", [], GATHER_TIMEOUT_MS),
        this.#host.call(n.node, "code", "modules", [], GATHER_TIMEOUT_MS),
      ]);
      const got = record(info);
      if (got) this.#lastInfo.set(n.node, got);
      return {
        ...row,
        info: got,
        modules: modules.kind === "ok" && Array.isArray(modules.value) ? modules.value.length : undefined,
        error: failure(info),
      };
    }));
  }

  /** One node's info and activity. Never rejects. */
  async details(node: string): Promise<NodeDetails> {
    const [info, activity] = await Promise.all([
      this.#host.call(node, "system", "info", [], GATHER_TIMEOUT_MS),
      this.#host.call(node, "system", "activity", [], GATHER_TIMEOUT_MS),
    ]);
    return { node, info: record(info), activity: record(activity), error: failure(info) ?? failure(activity) };
  }
}
