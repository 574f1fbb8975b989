/**
 * One node: its system information, calls (rates, latency percentiles,
 * failures by kind, charts of the last minutes), links, modules and the
 * journal of its links. The live stream replaces the whole section.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { ago, bytes, clock, duration, millis, num } from "./format.ts";
import type { NodeDetails } from "./gather.ts";
import { h, type Html } from "./html.ts";
import { nodeHref, pill } from "./layout.ts";
import { sparkline } from "./sparkline.ts";

type Row = Record<string, Value>;

function rows(v: Value | undefined): Row[] {
  return Array.isArray(v) ? v.filter((x): x is Row => x !== null && typeof x === "object" && !Array.isArray(x)) : [];
}

function obj(v: Value | undefined): Row {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? v as Row : {};
}

function numbers(v: Value | undefined): number[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "number" ? x : 0)) : [];
}

function systemFacts(info: Row): Html {
  const mem = obj(info.memory);
  const load = Array.isArray(info.loadavg) ? info.loadavg.map((l) => (typeof l === "number" ? l.toFixed(2) : "–")).join(" ") : "–";
  const facts: [string, unknown][] = [
    ["Runtime", `${info.runtime ?? "?"} ${info.runtimeVersion ?? ""}`],
    ["meshrpc", info.meshrpc],
    ["Uptime", duration(info.uptime)],
    ["Host", `${info.hostname ?? "?"} (${info.platform ?? "?"}/${info.arch ?? "?"})`],
    ["PID", info.pid],
    ["Memory (RSS)", bytes(mem.rss)],
    ["Heap", `${bytes(mem.heapUsed)} used of ${bytes(mem.heapTotal)}`],
    ["System memory", `${bytes(mem.systemFree)} free of ${bytes(mem.systemTotal)}`],
    ["Load (1, 5, 15 min)", load],
    ["CPUs", `${info.cpus ?? "?"} × ${info.cpuModel ?? "?"}`],
    ["OS uptime", duration(info.osUptime)],
  ];
  return h`<dl class="facts wide">${facts.map(([k, v]) => h`<div><dt>${k}</dt><dd>${v ?? "–"}</dd></div>`)}</dl>`;
}

function failurePills(failures: Row): Html {
  const kinds = Object.entries(failures).filter(([, n]) => typeof n === "number" && n > 0);
  if (kinds.length === 0) return h`<span class="muted">none</span>`;
  return h`${kinds.map(([k, n]) => h`<span class="pill pill-down">${k} ${n}</span> `)}`;
}

function callsTable(calls: Row[]): Html {
  if (calls.length === 0) {
    return h`<p class="empty">No calls served in the last 5 minutes.</p>`;
  }
  return h`<div class="scroll"><table class="calls">
<thead><tr><th>Function</th><th class="n">Calls/s</th><th class="n">5 min</th><th class="n">p50</th><th class="n">p90</th><th class="n">p99</th><th>Failures</th><th>Last 5 min</th></tr></thead>
<tbody>${
    calls.map((c) =>
      h`<tr><td class="mono">${c.name}</td><td class="n">${num(c.perSecond)}</td><td class="n">${c.calls}</td><td class="n">${millis(c.p50)}</td><td class="n">${
        millis(c.p90)
      }</td><td class="n">${millis(c.p99)}</td><td>${failurePills(obj(c.failures))}</td><td>${
        sparkline(numbers(c.series), numbers(c.failureSeries), `calls of ${c.name} per 10 s`)
      }</td></tr>`
    )
  }</tbody></table></div>`;
}

function linksTable(links: Row[], now: number): Html {
  if (links.length === 0) return h`<p class="empty">No links: this node is alone.</p>`;
  return h`<div class="scroll"><table>
<thead><tr><th>Peer</th><th>Up since</th><th>Last heard</th><th class="n">Bytes in</th><th class="n">Bytes out</th><th class="n">Waiting calls</th></tr></thead>
<tbody>${
    links.map((l) =>
      h`<tr><td><a class="mono" href="${nodeHref(String(l.peer))}">${l.peer}</a> ${l.hidden ? pill("hidden", "muted") : ""}</td><td>${
        clock(l.upSince)
      } <span class="muted">(${ago(l.upSince, now)})</span></td><td>${ago(l.lastHeard, now)}</td><td class="n">${bytes(l.bytesIn)}</td><td class="n">${
        bytes(l.bytesOut)
      }</td><td class="n">${l.pending ?? 0}</td></tr>`
    )
  }</tbody></table></div>`;
}

function modulesList(modules: Row, node: string): Html {
  const names = Object.keys(modules).sort();
  if (names.length === 0) return h`<p class="empty">No modules.</p>`;
  return h`<ul class="modules">${
    names.map((m) =>
      h`<li><span class="mono module">${m}</span> ${
        (Array.isArray(modules[m]) ? modules[m] as Value[] : []).map((f) =>
          h`<a class="fn" href="/dashboard/call?node=${encodeURIComponent(node)}&amp;module=${encodeURIComponent(m)}&amp;function=${
            encodeURIComponent(String(f))
          }">${f}</a> `
        )
      }</li>`
    )
  }</ul>`;
}

const EVENT_TONE = { nodeup: "up", nodedown: "down", refused: "warn" } as const;

function eventsLog(events: Row[]): Html {
  if (events.length === 0) return h`<p class="empty">Nothing yet: nodeup, nodedown and refused handshakes show here.</p>`;
  return h`<ol class="log">${
    events.map((e) => {
      const type = String(e.type) as keyof typeof EVENT_TONE;
      return h`<li><time>${clock(e.time)}</time> ${pill(type, EVENT_TONE[type] ?? "muted")} <span class="mono">${e.node}</span> <span class="muted">${e.detail}</span></li>`;
    })
  }</ol>`;
}

/** The live part of the page. */
export function nodeSections(d: NodeDetails, now = Date.now()): Html {
  if (d.info === undefined) {
    return h`<div class="card is-down"><p>${pill("down", "down")} ${d.node} does not answer: ${d.error ?? "no answer"}</p></div>`;
  }
  const a = d.activity ?? {};
  return h`<div class="card"><h2>System</h2>${systemFacts(d.info)}</div>
<div class="card"><h2>Calls served</h2>${a.calls === undefined ? h`<p class="empty">${d.error ?? "No figures"}</p>` : callsTable(rows(a.calls))}</div>
<div class="card"><h2>Links</h2>${linksTable(rows(a.links), now)}</div>
<div class="two">
<div class="card"><h2>Modules</h2>${modulesList(obj(a.modules), d.node)}</div>
<div class="card"><h2>Events</h2>${eventsLog(rows(a.events))}</div>
</div>`;
}

/** The page's body. */
export function nodeBody(d: NodeDetails): Html {
  return h`<h1 class="mono">${d.node}</h1>
<p class="actions"><a class="button" href="/dashboard/call?node=${encodeURIComponent(d.node)}">Call a function here</a></p>
<section id="node" aria-live="polite">${nodeSections(d)}</section>`;
}
