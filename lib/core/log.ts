/**
 * One line per event on stderr: `time level event key=value ...`, or one
 * JSON object per line with `--log-format json` (for journald and shippers).
 *
 * @module
 */

/** `text` (`time level event key=value ...`) or `json` (one object per line). */
export type LogFormat = "text" | "json";
export type Level = "info" | "warn" | "error";
/** What an event carries besides its name; undefined fields are left out. */
export type Fields = Record<string, string | number | boolean | undefined>;

/** Where a node writes its events (`startNode`'s `log` option). */
export interface Logger {
  /** Normal operation: started, connected, stopped. */
  info(event: string, fields?: Fields): void;
  /** Something went wrong and was handled (a lost peer, a retry). */
  warn(event: string, fields?: Fields): void;
  /** Something failed. */
  error(event: string, fields?: Fields): void;
}

function quote(v: string | number | boolean): string {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

export function formatLine(format: LogFormat, level: Level, event: string, fields: Fields, time: Date): string {
  const defined = Object.entries(fields).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  if (format === "json") {
    return JSON.stringify({ time: time.toISOString(), level, event, ...Object.fromEntries(defined) });
  }
  const kv = defined.map(([k, v]) => `${k}=${quote(v)}`).join(" ");
  return `${time.toISOString()} ${level} ${event}${kv ? " " + kv : ""}`;
}

/** A logger that writes through `write` (the runtime's stderr). */
export function createLogger(format: LogFormat, write: (line: string) => void): Logger {
  const at = (level: Level) => (event: string, fields: Fields = {}) =>
    write(formatLine(format, level, event, fields, new Date()));
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** For library users who did not ask for logs. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
