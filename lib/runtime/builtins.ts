/**
 * The `node:*` modules the runtime uses, each loaded on its first use.
 * Loading one costs milliseconds of CPU (node:fs about 8, node:net about
 * 15 on Bun, measured with compiled stubs), and a `meshrpc call` would pay
 * for all of them at every start while it needs at most node:fs. A static
 * `import` would load them with the runtime; `getBuiltinModule` loads one
 * when it is first asked for, and returns the cached module after that.
 *
 * @module
 */
import type * as ChildProcess from "node:child_process";
import type * as Dns from "node:dns/promises";
import type * as Fs from "node:fs";
import type * as Fsp from "node:fs/promises";
import type * as Net from "node:net";
import type * as Os from "node:os";
import process from "node:process";

export const nodeFs = (): typeof Fs => process.getBuiltinModule("node:fs") as typeof Fs;
export const nodeFsp = (): typeof Fsp => process.getBuiltinModule("node:fs/promises") as typeof Fsp;
export const nodeOs = (): typeof Os => process.getBuiltinModule("node:os") as typeof Os;
export const nodeNet = (): typeof Net => process.getBuiltinModule("node:net") as typeof Net;
export const nodeChildProcess = (): typeof ChildProcess =>
  process.getBuiltinModule("node:child_process") as typeof ChildProcess;
export const nodeDns = (): typeof Dns => process.getBuiltinModule("node:dns/promises") as typeof Dns;
