/**
 * `system.activity` besides the modules: the calls served here, the links
 * with their traffic, and the links' recent events (what the dashboard
 * shows of one node).
 *
 * @module
 */
import type { RecentEvents } from "../core/recent_events.ts";
import type { Mesh } from "../distribution/mesh.ts";
import { MeteredLink } from "../distribution/metered_link.ts";
import type { Value } from "../result.ts";
import type { CallStats } from "../rpc/call_stats.ts";

export function nodeActivity(mesh: Mesh, stats: CallStats, journal: RecentEvents): Record<string, Value> {
  const links = [...mesh.nodes(), ...mesh.hiddenNodes()].flatMap((name) => {
    const link = mesh.link(name);
    if (!(link instanceof MeteredLink)) return [];
    const t = link.traffic;
    return [{
      peer: name,
      hidden: link.peer.hidden,
      upSince: t.upSince,
      lastHeard: t.lastHeard,
      bytesIn: t.bytesIn,
      bytesOut: t.bytesOut,
      pending: link.pendingCount,
    }];
  });
  return {
    calls: stats.snapshot(Date.now()) as unknown as Value,
    links,
    events: journal.list() as unknown as Value,
  };
}
