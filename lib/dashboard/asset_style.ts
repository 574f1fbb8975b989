/**
 * The dashboard's stylesheet, shipped as a string inside the program:
 * system fonts only (no request leaves the machine), light and dark, one
 * column in a narrow window.
 *
 * @module
 */

export const STYLE = `:root {
  --bg: #f5f6f8; --card: #fff; --line: #e2e5ea; --text: #1c2330; --muted: #677185;
  --accent: #3451d1; --up: #1f8a4c; --up-bg: #e3f5ea; --down: #c5302c; --down-bg: #fbe7e6;
  --warn: #a75f00; --warn-bg: #fdf0dc; --bun: #6b4e16; --bun-bg: #fbf1dc; --deno: #1d4f5e; --deno-bg: #e0f1f5;
  --bar: #161b26; --bar-text: #e8ebf2; --on-accent: #fff; --spark: #3451d1; --spark-fill: rgba(52, 81, 209, .12);
  --mono: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Ubuntu, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #11151c; --card: #1a2029; --line: #2b3340; --text: #e4e8ef; --muted: #939cad;
    --accent: #8da2ff; --up: #5fd08e; --up-bg: #173624; --down: #ff8a84; --down-bg: #3d1c1b;
    --warn: #f3b05a; --warn-bg: #3a2a12; --bun: #f1d39b; --bun-bg: #3a2f1a; --deno: #9fe0ef; --deno-bg: #173540;
    --bar: #0b0e13; --on-accent: #0b0e13; --spark: #8da2ff; --spark-fill: rgba(141, 162, 255, .15);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 var(--sans); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; letter-spacing: -.01em; overflow-wrap: anywhere; }
h1.mono { font-size: 1.4rem; }
h2 { font-size: .8rem; margin: 0 0 .75rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.mono, code, pre { font-family: var(--mono); font-size: .9em; }
.muted { color: var(--muted); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1.25rem; padding: .6rem 1.25rem;
  background: var(--bar); color: var(--bar-text); }
.bar a { color: var(--bar-text); }
.brand { font-weight: 700; font-size: 1.05rem; display: inline-flex; align-items: center; gap: .5rem; }
.logo { width: 14px; height: 14px; border-radius: 50%; background: conic-gradient(#5b7cff, #39c089, #f0b341, #5b7cff); }
.self { font-family: var(--mono); font-size: .85rem; opacity: .75; }
.bar nav { display: flex; gap: 1rem; flex-wrap: wrap; flex: 1; }
.bar nav a { opacity: .8; padding: .15rem 0; border-bottom: 2px solid transparent; }
.bar nav a[aria-current="page"] { opacity: 1; border-bottom-color: #5b7cff; text-decoration: none; }
.live { font-size: .8rem; opacity: .8; display: inline-flex; align-items: center; gap: .35rem; }
.live:empty { display: none; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #7b8494; }
.live.on::before { background: #39c089; box-shadow: 0 0 0 3px rgba(57, 192, 137, .25); }
.live.off::before { background: #f0b341; }
.signout { margin: 0; }
.signout button { background: transparent; color: var(--bar-text); border: 1px solid rgba(255, 255, 255, .25); padding: .2rem .7rem; font-size: .85rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1.25rem; }
footer { text-align: center; color: var(--muted); font-size: .8rem; padding: 1rem 0 2rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.1rem; margin-bottom: 1rem;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .04); min-width: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr)); gap: 1rem; }
.grid .card { margin: 0; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 0 1rem; }
.summary { margin: 0 0 1rem; color: var(--muted); }
.summary .ok { color: var(--up); } .summary .bad { color: var(--down); }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: .5rem; }
.node-name { font-family: var(--mono); font-weight: 600; font-size: .95rem; overflow-wrap: anywhere; }
.node.is-up { border-top: 3px solid var(--up); }
.node.is-down { border-top: 3px solid var(--down); background: linear-gradient(var(--down-bg), var(--card) 60%); }
.tags { display: flex; flex-wrap: wrap; gap: .35rem; margin: .4rem 0 .6rem; }
.pill { display: inline-block; font-size: .75rem; font-weight: 600; line-height: 1.6; padding: 0 .55rem; border-radius: 999px;
  background: var(--bg); color: var(--muted); border: 1px solid var(--line); white-space: nowrap; }
.pill-up { background: var(--up-bg); color: var(--up); border-color: transparent; }
.pill-down { background: var(--down-bg); color: var(--down); border-color: transparent; }
.pill-warn { background: var(--warn-bg); color: var(--warn); border-color: transparent; }
.pill-bun { background: var(--bun-bg); color: var(--bun); border-color: transparent; }
.pill-deno { background: var(--deno-bg); color: var(--deno); border-color: transparent; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: .45rem 1rem; margin: 0; }
.facts.wide { grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); }
.facts div { min-width: 0; }
.facts dt { font-size: .72rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.node .facts dd { font-size: .93rem; }
.meter { display: block; width: 100%; height: 6px; margin-top: .2rem; }
.meter-bg { fill: var(--line); } .meter-fill { fill: var(--accent); }
.down-why { color: var(--down); margin: .25rem 0 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th { text-align: left; font-size: .72rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
th, td { padding: .45rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: middle; }
tbody tr:last-child td { border-bottom: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.spark { display: block; }
.spark-area { fill: var(--spark-fill); }
.spark-line { fill: none; stroke: var(--spark); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark-fail { fill: none; stroke: var(--down); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.empty { color: var(--muted); margin: 0; }
.modules { list-style: none; margin: 0; padding: 0; }
.modules li { padding: .35rem 0; border-bottom: 1px solid var(--line); }
.modules li:last-child { border: 0; }
.module { font-weight: 600; margin-right: .4rem; }
.fn { font-family: var(--mono); font-size: .8rem; background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
  padding: .05rem .4rem; margin: .1rem .15rem; display: inline-block; }
.log { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow-y: auto; font-size: .88rem; }
.log li { padding: .3rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.log time { font-family: var(--mono); color: var(--muted); margin-right: .35rem; }
.actions { margin: -.25rem 0 1rem; }
label { display: flex; flex-direction: column; gap: .25rem; font-size: .8rem; font-weight: 600; color: var(--muted); }
input, select, textarea, button { font: inherit; color: var(--text); }
input, select, textarea { font-weight: 400; background: var(--bg); border: 1px solid var(--line); border-radius: 7px; padding: .45rem .6rem; width: 100%; }
textarea { font-family: var(--mono); font-size: .9rem; resize: vertical; }
input:focus, select:focus, textarea:focus { outline: 2px solid var(--accent); outline-offset: 0; border-color: transparent; }
button, .button { background: var(--accent); color: var(--on-accent); border: 0; border-radius: 7px; padding: .5rem 1.1rem; font-weight: 600;
  cursor: pointer; display: inline-block; }
.button:hover { text-decoration: none; filter: brightness(1.08); }
.call-form { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .9rem 1rem; align-items: end; }
.call-form .full { grid-column: 1 / -1; }
.result-head { margin: 0 0 .5rem; }
.result pre { background: var(--bg); border: 1px solid var(--line); border-radius: 7px; padding: .75rem; overflow-x: auto; margin: .5rem 0 0; }
.failure { margin: 0; color: var(--down); overflow-wrap: anywhere; }
.result h3 { font-size: .72rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: .9rem 0 0; }
.signin { max-width: 420px; margin: 8vh auto 0; }
.signin form { display: flex; flex-direction: column; gap: 1rem; margin-top: 1rem; }
.problem { background: var(--down-bg); color: var(--down); padding: .6rem .8rem; border-radius: 7px; margin: .75rem 0 0; }
@media (max-width: 560px) {
  main { padding: .75rem; }
  .bar { padding: .6rem .75rem; }
  .bar nav { order: 3; flex-basis: 100%; }
  .bar .self { display: none; }
  .live { margin-left: auto; }
  .facts { grid-template-columns: 1fr 1fr; }
  .two { grid-template-columns: 1fr; }
}
`;
