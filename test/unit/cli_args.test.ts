import { describe, expect, test } from "bun:test";
import { ArgsError, type OptionSpec, parseFlags } from "../../cmd/args.ts";

const OPTIONS: OptionSpec = {
  help: { type: "boolean", short: "h" },
  detach: { type: "boolean" },
  node: { type: "string" },
  join: { type: "string", multiple: true },
  timeout: { type: "string", short: "t" },
};

describe("parseFlags", () => {
  test("reads flags in both forms, repeated flags and positionals in order", () => {
    const r = parseFlags(["a", "--node", "x@h", "b", "--timeout=5", "--join", "p", "--join=q", "--detach", "-h", "c"], OPTIONS);
    expect(r.positionals).toEqual(["a", "b", "c"]);
    expect(r.values).toEqual({ node: "x@h", timeout: "5", join: ["p", "q"], detach: true, help: true });
  });

  test("short flags: -t VALUE, -tVALUE, and everything after -- is positional", () => {
    expect(parseFlags(["-t", "7"], OPTIONS).values.timeout).toBe("7");
    expect(parseFlags(["-t7"], OPTIONS).values.timeout).toBe("7");
    expect(parseFlags(["--", "--node", "-1"], OPTIONS).positionals).toEqual(["--node", "-1"]);
    expect(parseFlags(["-"], OPTIONS).positionals).toEqual(["-"]);
  });

  test("an unknown flag, a missing value or a value on a boolean throws naming the flag", () => {
    expect(() => parseFlags(["--frobnicate"], OPTIONS)).toThrow(new ArgsError("Unknown option '--frobnicate'"));
    expect(() => parseFlags(["-x"], OPTIONS)).toThrow("Unknown option '-x'");
    expect(() => parseFlags(["--node"], OPTIONS)).toThrow("Option '--node <value>' needs a value");
    expect(() => parseFlags(["--node", "--detach"], OPTIONS)).toThrow("needs a value");
    expect(() => parseFlags(["--detach=yes"], OPTIONS)).toThrow("Option '--detach' does not take an argument");
    expect(() => parseFlags(["--constructor"], OPTIONS)).toThrow("Unknown option '--constructor'");
  });
});
