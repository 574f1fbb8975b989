/**
 * The cluster overview: one card per node, refreshed by the live stream.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { ago, bytes, clock, duration } from "./format.ts";
import type { NodeRow } from "./gather.ts";
import { h, type Html } from "./html.ts";
import { nodeHref, pill } from "./layout.ts";

function field(info: Record<string, Value> | undefined, key: string): Value | undefined {
  return info?.[key];
}

function memoryOf(info: Record<string, Value> | undefined): Record<string, number> {
  const m = field(info, "memory");
  return (m && typeof m === "object" && !Array.isArray(m) ? m : {}) as Record<string, number>;
}

/** The runtime and its version; greyed for what a node that is down last said. */
function runtimePill(info: Record<string, Value> | undefined, stale = false): Html {
  const rt = String(field(info, "runtime") ?? "");
  const tone = stale ? "muted" : rt === "bun" ? "bun" : rt === "deno" ? "deno" : "muted";
  return pill(`${rt || "?"} ${field(info, "runtimeVersion") ?? ""}`.trim(), tone);
}

/** A bar of `used` out of `total`. */
function meter(used: number | undefined, total: number | undefined, label: string): Html {
  const pct = used && total ? Math.min(100, (used / total) * 100) : 0;
  // An SVG, not a styled span: the page's content security policy allows no inline styles.
  return h`<svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${label}: ${pct.toFixed(0)}%"><rect class="meter-bg" width="100" height="6" rx="3"/><rect class="meter-fill" width="${pct.toFixed(1)}" height="6" rx="3"/></svg>`;
}

function card(row: NodeRow): Html {
  const up = row.connected && row.info !== undefined;
  const info = row.info;
  const mem = memoryOf(info);
  const load = field(info, "loadavg");
  const loads = Array.isArray(load) ? load.map((l) => (typeof l === "number" ? l.toFixed(2) : "–")).join(" ") : "–";
  return h`<article class="card node ${up ? "is-up" : "is-down"}" data-node="${row.node}" data-state="${up ? "up" : "down"}">
  <div class="card-head">
    <a class="node-name" href="${nodeHref(row.node)}">${row.node}</a>
    ${up ? pill("up", "up") : pill("down", "down")}
  </div>
  <div class="tags">
    ${info ? runtimePill(info) : row.lastInfo ? runtimePill(row.lastInfo, true) : ""}
    ${row.self ? pill("this node", "muted") : ""}
    ${row.hidden ? pill("hidden", "muted") : ""}
  </div>
  ${
    up
      ? h`<dl class="facts">
    <div><dt>meshrpc</dt><dd>${field(info, "meshrpc") ?? "–"}</dd></div>
    <div><dt>Uptime</dt><dd>${duration(field(info, "uptime"))}</dd></div>
    <div><dt>Memory (RSS)</dt><dd>${bytes(mem.rss)} ${meter(mem.rss, mem.systemTotal, "RSS of system memory")}</dd></div>
    <div><dt>Heap used</dt><dd>${bytes(mem.heapUsed)} <span class="muted">/ ${bytes(mem.heapTotal)}</span></dd></div>
    <div><dt>Load (1, 5, 15 min)</dt><dd>${loads}</dd></div>
    <div><dt>CPUs</dt><dd>${field(info, "cpus") ?? "–"}</dd></div>
    <div><dt>Modules</dt><dd>${row.modules ?? "–"}</dd></div>
    <div><dt>Host</dt><dd>${field(info, "hostname") ?? "–"} <span class="muted">pid ${field(info, "pid") ?? "–"}</span></dd></div>
  </dl>`
      : h`<p class="down-why">${row.error ?? "does not answer"}${
        row.downSince !== undefined ? h`<br><span class="muted">since ${clock(row.downSince)} UTC (${ago(row.downSince)})</span>` : ""
      }</p>`
  }
</article>`;
}

/** The cards (the live stream replaces them as a whole). */
export function overviewCards(rows: NodeRow[]): Html {
  const up = rows.filter((r) => r.connected && r.info !== undefined).length;
  return h`<p class="summary"><strong>${rows.length}</strong> node${rows.length === 1 ? "" : "s"} ·
  <strong class="${up === rows.length ? "ok" : "bad"}">${up}</strong> answering</p>
<div class="grid">${rows.map(card)}</div>`;
}

/** The page's body. */
export function overviewBody(rows: NodeRow[]): Html {
  return h`<h1>Cluster</h1>
<section id="overview" aria-live="polite">${overviewCards(rows)}</section>`;
}
