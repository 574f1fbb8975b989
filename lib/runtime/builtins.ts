/**
 * The `node:*` modules the runtime uses. Loading one costs milliseconds of
 * CPU (node:net about 15 on Bun, measured with compiled stubs), and a
 * `meshrpc call` would pay for all of them at every start while it needs
 * only node:fs. So each is loaded on its first use with `getBuiltinModule`,
 * which returns the cached module after that, except node:fs: every process
 * needs it (the CLI's output and socket check, the node's log), and a static
 * `import` loads it faster than `getBuiltinModule` does (compiled Bun stubs:
 * 2.3–4.7 ms of wall time over a hello world instead of 6.9–7.5 ms).
 *
 * @module
 */
import type * as ChildProcess from "node:child_process";
import type * as Dns from "node:dns/promises";
import * as fs from "node:fs";
import type * as Fsp from "node:fs/promises";
import type * as Net from "node:net";
import type * as Os from "node:os";
import process from "node:process";

export const nodeFs = (): typeof fs => fs;
export const nodeFsp = (): typeof Fsp => process.getBuiltinModule("node:fs/promises") as typeof Fsp;
export const nodeOs = (): typeof Os => process.getBuiltinModule("node:os") as typeof Os;
export const nodeNet = (): typeof Net => process.getBuiltinModule("node:net") as typeof Net;
export const nodeChildProcess = (): typeof ChildProcess =>
  process.getBuiltinModule("node:child_process") as typeof ChildProcess;
export const nodeDns = (): typeof Dns => process.getBuiltinModule("node:dns/promises") as typeof Dns;
