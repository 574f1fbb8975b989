/**
 * `make bench`'s result: one row per measure, meshrpc's figure next to its
 * reference measured in the same run, the ratio and the target it is held to.
 *
 * @module
 */

export interface Row {
  key: string;
  what: string;
  unit: string;
  meshrpc: number | null;
  /** What the figure is compared with, e.g. "erpc:call"; "" when nothing is. */
  reference: string;
  ref: number | null;
  /** `meshrpc / ref`, or null when either is missing. */
  ratio: number | null;
  /** "ratio ≥ 1.5", "≤ 40": what the row must reach. */
  target: string;
  verdict: "met" | "MISSED" | "info" | "skipped";
  /** Why a figure is missing ("skipped (install wrk)") or what else was seen. */
  note: string;
}

export interface Target {
  /** Held to the ratio (`meshrpc / ref`) or to meshrpc's own figure. */
  on: "ratio" | "value";
  op: "≥" | "≤";
  bound: number;
}

export class Table {
  readonly rows: Row[] = [];

  add(key: string, what: string, unit: string, meshrpc: number | null, reference: string, ref: number | null, target?: Target, note = ""): void {
    const ratio = meshrpc !== null && ref !== null && ref > 0 ? meshrpc / ref : null;
    let verdict: Row["verdict"] = "info";
    if (target) {
      const v = target.on === "ratio" ? ratio : meshrpc;
      if (v === null) verdict = note.startsWith("failed") ? "MISSED" : "skipped";
      else verdict = (target.op === "≥" ? v >= target.bound : v <= target.bound) ? "met" : "MISSED";
    }
    const targetText = target ? `${target.on === "ratio" ? "ratio " : ""}${target.op} ${target.bound}` : "";
    this.rows.push({ key, what, unit, meshrpc, reference, ref, ratio, target: targetText, verdict, note });
  }

  /** The rows as text, one line each, columns padded. */
  format(): string {
    const head = ["measure", "unit", "meshrpc", "reference", "ref", "ratio", "target", "verdict"];
    const lines = this.rows.map((r) => [
      r.what,
      r.unit,
      num(r.meshrpc),
      r.reference,
      num(r.ref),
      r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`,
      r.target,
      r.verdict + (r.note ? ` ${r.note}` : ""),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    return [head, ...lines].map((l) => l.map((c, i) => (i === 0 || i === 3 || i >= 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd()).join("\n");
  }

  /** The rows as a Markdown table (for the README). */
  markdown(): string {
    const out = ["| measure | meshrpc | reference | ratio | target | |", "|---|---|---|---|---|---|"];
    for (const r of this.rows) {
      const ref = r.reference ? `${r.reference} ${num(r.ref)}` : "—";
      const ratio = r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`;
      out.push(`| ${r.what} (${r.unit}) | ${num(r.meshrpc)} | ${ref} | ${ratio} | ${r.target} | ${r.verdict}${r.note ? ` ${r.note}` : ""} |`);
    }
    return out.join("\n");
  }
}

function num(v: number | null): string {
  if (v === null) return "—";
  if (v >= 1000) return Math.round(v).toLocaleString("en-US");
  if (v >= 10) return v.toFixed(0);
  return v.toFixed(2);
}
