/**
 * The suite's result: rows of figures, each with the bound it is held to
 * (or none, for figures reported for information), printed as one table.
 *
 * @module
 */

export type Unit = "bytes" | "ms" | "count" | "per_s" | "text";
export type Verdict = "pass" | "FAIL" | "info";

export interface Row {
  scenario: string;
  measure: string;
  value: number | string;
  unit: Unit;
  /** Human-readable, e.g. "≤ 512 MiB"; empty for information only. */
  bound: string;
  verdict: Verdict;
}

/** Collects the rows of one scenario. */
export class Rows {
  readonly rows: Row[] = [];
  constructor(readonly scenario: string) {}

  /** A figure reported without a bound. */
  info(measure: string, value: number | string, unit: Unit = "count"): void {
    this.rows.push({ scenario: this.scenario, measure, value, unit, bound: "", verdict: "info" });
  }

  /** A figure that must not exceed `max`. */
  atMost(measure: string, value: number, max: number, unit: Unit = "count", why = ""): void {
    const bound = `≤ ${format(max, unit)}${why ? ` (${why})` : ""}`;
    this.rows.push({ scenario: this.scenario, measure, value, unit, bound, verdict: value <= max ? "pass" : "FAIL" });
  }

  /** A figure that must reach `min`. */
  atLeast(measure: string, value: number, min: number, unit: Unit = "count"): void {
    this.rows.push({ scenario: this.scenario, measure, value, unit, bound: `≥ ${format(min, unit)}`, verdict: value >= min ? "pass" : "FAIL" });
  }

  /** A yes/no check; `detail` says what was seen. */
  check(measure: string, passed: boolean, detail: string, bound = "yes"): void {
    this.rows.push({ scenario: this.scenario, measure, value: detail, unit: "text", bound, verdict: passed ? "pass" : "FAIL" });
  }
}

/** A value as the table shows it: bytes in MiB, times in ms or s. */
export function format(value: number | string, unit: Unit): string {
  if (typeof value === "string") return value;
  switch (unit) {
    case "bytes":
      return `${(value / 1048576).toFixed(1)} MiB`;
    case "ms":
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
    case "per_s":
      return `${Math.round(value)}/s`;
    default:
      return String(Math.round(value * 100) / 100);
  }
}

/** The rows as an aligned text table. */
export function table(rows: Row[]): string {
  const header = ["scenario", "measure", "value", "bound", "verdict"];
  const cells = rows.map((r) => [r.scenario, r.measure, format(r.value, r.unit), r.bound, r.verdict]);
  const widths = header.map((h, i) => Math.min(72, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((x, i) => (x.length > widths[i] ? x.slice(0, widths[i] - 1) + "…" : x.padEnd(widths[i]))).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line)].join("\n");
}
