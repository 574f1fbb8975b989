/**
 * A small inline SVG chart of a series (calls per ten seconds): a line over
 * a filled area, and the failures as a red line on the same scale. No
 * charting library: a polyline is all a glance needs.
 *
 * @module
 */
import { h, type Html } from "./html.ts";

const W = 120;
const H = 28;

function points(series: number[], max: number): string {
  const step = series.length > 1 ? W / (series.length - 1) : W;
  return series.map((v, i) => `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`).join(" ");
}

/** The chart, with `label` as its accessible name. */
export function sparkline(series: number[], failures: number[], label: string): Html {
  const max = Math.max(1, ...series);
  const line = points(series, max);
  const area = `0,${H} ${line} ${W},${H}`;
  const failed = failures.some((f) => f > 0) ? points(failures, max) : undefined;
  return h`<svg class="spark" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${label}"><polygon class="spark-area" points="${area}"/><polyline class="spark-line" points="${line}"/>${
    failed && h`<polyline class="spark-fail" points="${failed}"/>`
  }</svg>`;
}
