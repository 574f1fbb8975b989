import { describe, expect, test } from "bun:test";
import { createLogger, formatLine, type Logger, safeLogger } from "../../lib/core/log.ts";

const T = new Date("2026-01-02T03:04:05.000Z");

describe("formatLine", () => {
  test("leaves names, numbers, paths and addresses bare", () => {
    expect(formatLine("text", "info", "start", { node: "a@localhost", port: 4370, socket: "/tmp/x/a@h.sock", ip: "::1" }, T))
      .toBe("2026-01-02T03:04:05.000Z info start node=a@localhost port=4370 socket=/tmp/x/a@h.sock ip=::1");
  });

  test("quotes a peer-supplied value so that a shell expands nothing in it", () => {
    const evil = "$(touch /tmp/x) `id` ;touch${IFS}/tmp/y !! \"q\" \\ \n\x1b[31m\x9b2J\u2028";
    const line = formatLine("text", "warn", "handshake_refused", { to: evil, plain: "a;b|c&d>e" }, T);
    // Nothing a shell expands, and no raw control character a terminal would act on.
    expect([...line].filter((c) => "$`!\n\x1b\x9b\u2028".includes(c))).toEqual([]);
    const to = /to=("(?:[^"\\]|\\.)*")/.exec(line)![1];
    expect(JSON.parse(to)).toBe(evil);
    expect(line).toContain('plain="a;b|c&d>e"');
  });

  test("writes the same escapes in JSON lines, which still parse to the original values", () => {
    const evil = "$(touch /tmp/x) `id` !";
    const line = formatLine("json", "warn", "handshake_refused", { to: evil }, T);
    expect(line).not.toMatch(/[$`!]/);
    expect(JSON.parse(line)).toEqual({ time: T.toISOString(), level: "warn", event: "handshake_refused", to: evil });
  });
});

describe("a logger whose writes fail", () => {
  test("drops the line instead of throwing, and keeps writing once writes work again", () => {
    let failing = true;
    const written: string[] = [];
    const log = createLogger("text", (line) => {
      if (failing) throw Object.assign(new Error("EPIPE: broken pipe"), { code: "EPIPE" });
      written.push(line);
    });
    expect(() => log.info("signal", { signal: "SIGTERM" })).not.toThrow();
    expect(() => log.warn("handshake_refused")).not.toThrow();
    failing = false;
    log.error("after");
    expect(written.at(-1)).toContain("error after");
  });

  test("safeLogger keeps a library user's throwing logger from throwing into meshrpc", () => {
    const seen: string[] = [];
    const user: Logger = {
      info(event) {
        seen.push(event);
        throw new Error("disk full");
      },
      warn() {
        throw new Error("disk full");
      },
      error() {
        throw new Error("disk full");
      },
    };
    const log = safeLogger(user);
    expect(() => log.info("stopping", { node: "a@h" })).not.toThrow();
    expect(() => log.warn("w")).not.toThrow();
    expect(() => log.error("e")).not.toThrow();
    expect(seen).toEqual(["stopping"]);
  });
});

describe("a logger whose writes failed for a while", () => {
  test("says how many lines were dropped in the first line that gets through", () => {
    let failing = true;
    const written: string[] = [];
    const log = createLogger("text", (line) => {
      if (failing) throw new Error("full");
      written.push(line);
    });
    log.info("a");
    log.info("b");
    failing = false;
    log.info("c");
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/ warn log_dropped lines=2 /);
    expect(written[1]).toMatch(/ info c$/);
  });
});
