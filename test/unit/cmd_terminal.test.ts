/**
 * `meshrpc monitor` prints what peers chose (node names, nodedown reasons):
 * nothing in it may reach the terminal as a control sequence (issue 7).
 */
import { describe, expect, test } from "bun:test";
import { monitorLine } from "../../cmd/monitor_line.ts";
import { terminalSafe, terminalSafeJson } from "../../cmd/terminal.ts";

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5);
// Clears the screen, sets the window title, a CSI as one C1 character, a forged second line, a bidi override
const HOSTILE = "bye\u001b[2J\u001b]0;pwned\u0007\u009b31m\nfake@host nodeup\u202etxt.exe\u007f";

function hasControl(text: string): boolean {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text);
}

describe("monitor lines are safe to print on a terminal", () => {
  test("a nodedown reason with ESC sequences, C1 controls, a newline and a bidi override is escaped", () => {
    const line = monitorLine({ type: "nodedown", node: "peer@host", reason: HOSTILE, time: TIME }, "text");
    expect(hasControl(line)).toBe(false);
    expect(line).toBe(
      "2026-01-02T03:04:05.000Z nodedown peer@host " +
        "(bye\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u000afake@host nodeup\\u202etxt.exe\\u007f)",
    );
  });

  test("a node name is escaped too, in nodeup and nodedown", () => {
    expect(monitorLine({ type: "nodeup", node: "a\u001bb@h", hidden: false, time: TIME }, "text")).toBe(
      "2026-01-02T03:04:05.000Z nodeup a\\u001bb@h",
    );
  });

  test("JSON lines escape what JSON.stringify leaves raw, and still parse to the same event", () => {
    const event = { type: "nodedown" as const, node: "peer@host", reason: HOSTILE + "\u2028", time: TIME };
    const line = monitorLine(event, "json");
    expect(hasControl(line)).toBe(false);
    expect(JSON.parse(line)).toEqual(event);
  });

  test("ordinary text, including non-Latin names, is printed as is", () => {
    expect(terminalSafe("connection closed: ticktime ✓ 日本")).toBe("connection closed: ticktime ✓ 日本");
    expect(terminalSafeJson({ a: "é" })).toBe('{"a":"é"}');
  });

  test("a time that is not a date does not stop the monitor", () => {
    expect(monitorLine({ type: "nodeup", node: "a@h", hidden: false, time: Number.NaN }, "text")).toBe("NaN nodeup a@h");
  });
});

describe("text from another node on the terminal", () => {
  test("a multi-line value keeps its lines and tabs, but not its escape sequences", () => {
    expect(terminalSafe("a\tb\nc\u001b[2J\r", { keepLines: true })).toBe("a\tb\nc\\u001b[2J\\u000d");
  });

  test("indented JSON is escaped too", () => {
    expect(terminalSafeJson({ a: "\u009b31m" }, 2)).toBe('{\n  "a": "\\u009b31m"\n}');
  });

  test("every UTF-16 code unit is escaped exactly when it is one a terminal acts on", () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const escaped = "\\u" + c.toString(16).padStart(4, "0");
      const acts = hasControl(ch);
      const line = c === 0x09 || c === 0x0a;
      if (terminalSafe(`a${ch}b`) !== (acts ? `a${escaped}b` : `a${ch}b`)) wrong.push(`terminalSafe ${escaped}`);
      if (terminalSafe(`a${ch}b`, { keepLines: true }) !== (acts && !line ? `a${escaped}b` : `a${ch}b`)) {
        wrong.push(`terminalSafe keepLines ${escaped}`);
      }
      const json = JSON.stringify(ch);
      if (terminalSafeJson(ch) !== (hasControl(json) ? `"${escaped}"` : json)) wrong.push(`terminalSafeJson ${escaped}`);
    }
    expect(wrong).toEqual([]);
  });
});
