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

// What a shell would still interpret inside a JSON (double-quoted) string, and what a terminal would:
// `$` and backquotes expand, `!` recalls history, DEL and C1 controls and line separators reach the terminal.
const SHELL_ACTIVE = /[$`!\u007f-\u009f\u2028\u2029]/g;

/** JSON text with the characters a shell or terminal would act on written as `\uXXXX` escapes (still the same JSON). */
function inert(json: string): string {
  return json.replace(SHELL_ACTIVE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

// Values that need no quotes: names, numbers, times, paths, addresses. Anything else may come from a peer.
const PLAIN = /^[A-Za-z0-9@._:\/+,%-]+$/;

function quote(v: string | number | boolean): string {
  const s = String(v);
  return PLAIN.test(s) ? s : inert(JSON.stringify(s));
}

export function formatLine(format: LogFormat, level: Level, event: string, fields: Fields, time: Date): string {
  const defined = Object.entries(fields).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  if (format === "json") {
    return inert(JSON.stringify({ time: time.toISOString(), level, event, ...Object.fromEntries(defined) }));
  }
  const kv = defined.map(([k, v]) => `${k}=${quote(v)}`).join(" ");
  return `${time.toISOString()} ${level} ${event}${kv ? " " + kv : ""}`;
}

/**
 * A logger that writes through `write` (the runtime's stderr). Never throws:
 * a line that cannot be written (disk full, EPIPE once stderr's reader went
 * away, a reader that stopped reading) is dropped, so that logging never
 * stops a shutdown or a refusal; the next line written says how many were.
 */
export function createLogger(format: LogFormat, write: (line: string) => void): Logger {
  let dropped = 0;
  const at = (level: Level) => (event: string, fields: Fields = {}) => {
    try {
      if (dropped > 0) {
        write(formatLine(format, "warn", "log_dropped", { lines: dropped, why: "stderr could not be written" }, new Date()));
        dropped = 0;
      }
      write(formatLine(format, level, event, fields, new Date()));
    } catch {
      // Counted, and reported by the first line that gets through.
      dropped++;
    }
  };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** `log` with every method made unable to throw (for loggers that library users hand in). */
export function safeLogger(log: Logger): Logger {
  const guard = (fn: Logger["info"]) => (event: string, fields?: Fields) => {
    try {
      fn.call(log, event, fields);
    } catch {
      // A logger's failure must not become the caller's.
    }
  };
  return { info: guard(log.info), warn: guard(log.warn), error: guard(log.error) };
}

/** For library users who did not ask for logs. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
