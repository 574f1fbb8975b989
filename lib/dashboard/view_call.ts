/**
 * The call form: pick a node, a module and a function, type the arguments
 * as JSON, run it; the answer shows with its outcome kind, as the CLI
 * prints it.
 *
 * @module
 */
import { toJson } from "../codec/json_encode.ts";
import { type CallResult, describe } from "../result.ts";
import { h, type Html, raw } from "./html.ts";
import { pill } from "./layout.ts";

export interface CallForm {
  node: string;
  module: string;
  function: string;
  /** The arguments as the person typed them (a JSON array). */
  args: string;
  timeoutMs: number;
}

export interface CallView {
  form: CallForm;
  /** The nodes to pick from. */
  nodes: string[];
  /** The modules of the chosen node and their functions. */
  modules: Record<string, string[]>;
  csrf: string;
  result?: CallResult;
  /** How long the call took, in ms. */
  elapsedMs?: number;
}

function pretty(value: unknown): string {
  try {
    return JSON.stringify(toJson(value as never), null, 2);
  } catch {
    return String(value);
  }
}

function resultBlock(r: CallResult, elapsedMs: number | undefined): Html {
  const took = elapsedMs === undefined ? "" : ` in ${elapsedMs < 10 ? elapsedMs.toFixed(2) : Math.round(elapsedMs)} ms`;
  const head = h`<p class="result-head">${pill(r.kind, r.kind === "ok" ? "up" : "down")} <span class="muted">${took}</span></p>`;
  if (r.kind === "ok") return h`<div class="card result" data-kind="ok">${head}<pre class="value">${pretty(r.value)}</pre></div>`;
  const stack = r.kind === "exception" && r.stack
    ? h`<h3>Stack</h3><pre class="stack">${r.stack.split("\n").slice(1).map((l) => "  " + l.trim()).join("\n")}</pre>`
    : "";
  const data = r.kind === "exception" && r.data !== undefined ? h`<h3>Data</h3><pre class="value">${pretty(r.data)}</pre>` : "";
  return h`<div class="card result" data-kind="${r.kind}">${head}<p class="failure">${describe(r)}</p>${stack}${data}</div>`;
}

/** The page's body. */
export function callBody(v: CallView): Html {
  const f = v.form;
  const fns = v.modules[f.module] ?? [];
  return h`<h1>Call a function</h1>
<form method="post" action="/dashboard/call" class="card call-form" id="call-form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Node
    <select name="node" id="call-node">${
    v.nodes.map((n) => h`<option${n === f.node ? h` selected` : ""}>${n}</option>`)
  }</select>
  </label>
  <label>Module
    <input name="module" id="call-module" list="call-modules" value="${f.module}" required autocomplete="off" spellcheck="false">
  </label>
  <label>Function
    <input name="function" id="call-function" list="call-functions" value="${f.function}" required autocomplete="off" spellcheck="false">
  </label>
  <label class="full">Arguments (a JSON array)
    <textarea name="args" id="call-args" rows="3" spellcheck="false">${f.args}</textarea>
  </label>
  <label>Timeout (ms)
    <input name="timeout" type="number" min="0" step="1" value="${f.timeoutMs}">
  </label>
  <div class="full"><button type="submit" id="call-run">Run</button></div>
  <datalist id="call-modules">${Object.keys(v.modules).sort().map((m) => h`<option value="${m}">`)}</datalist>
  <datalist id="call-functions">${fns.map((fn) => h`<option value="${fn}">`)}</datalist>
  <script type="application/json" id="call-catalog">${
    // Script text is not HTML-decoded: raw JSON, with "<" escaped so it cannot close the element.
    raw(JSON.stringify(v.modules).replace(/</g, "\\u003c"))
  }</script>
</form>
${v.result && resultBlock(v.result, v.elapsedMs)}`;
}
