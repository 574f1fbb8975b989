/**
 * Numbers as a person reads them: bytes, durations, ages, milliseconds.
 *
 * @module
 */

/** `1.5 GiB`; `–` for what is not a number. */
export function bytes(n: unknown): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

/** `3d 4h`, `5m 10s`, `12s`. */
export function duration(seconds: unknown): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${hr}h`;
  if (hr > 0) return `${hr}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** How long ago `time` (ms since the epoch) was, from `now`. */
export function ago(time: unknown, now = Date.now()): string {
  if (typeof time !== "number") return "–";
  const s = (now - time) / 1000;
  return s < 1 ? "just now" : `${duration(s)} ago`;
}

/** `0.42 ms`, `12 ms`, `1.3 s`. */
export function millis(ms: unknown): string {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`;
}

/** `14:03:12` in UTC, the time zone of the node's log. */
export function clock(time: unknown): string {
  if (typeof time !== "number") return "–";
  return new Date(time).toISOString().slice(11, 19);
}

/** A number with at most `digits` decimals. */
export function num(n: unknown, digits = 2): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  return String(Math.round(n * 10 ** digits) / 10 ** digits);
}
