/**
 * HTML built from tagged templates: every interpolated value is escaped
 * unless it is already `Html`, so a node name or an exception message from
 * a peer cannot become markup. Synchronous, no JSX, no build step.
 *
 * @module
 */

/** Markup that is safe to insert as is. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text as HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

/** `h\`<td>${name}</td>\``: arrays are joined, `undefined`, `null` and `false` render nothing. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Trusted markup (our own constants, an SVG we drew). */
export function raw(text: string): Html {
  return new Html(text);
}
