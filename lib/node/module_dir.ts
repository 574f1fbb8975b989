/**
 * `--modules DIR`: every `.ts`/`.js` file there becomes a module at start.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import type { Modules } from "../rpc/modules.ts";
import type { Runtime } from "../runtime/types.ts";
import { NodeStartError } from "./options.ts";

/**
 * Loads the module files of `dir`, in name order. Throws NodeStartError
 * "unreadable_file" when the directory cannot be read, "module_failed" when
 * a file does not import (saying which and what to do).
 */
export async function loadModulesDir(rt: Runtime, modules: Modules, dir: string, log: Logger): Promise<void> {
  let files: string[];
  try {
    files = (await rt.readDir(dir)).filter((f) => /\.(ts|js|mjs|mts)$/.test(f) && !f.endsWith(".d.ts")).sort();
  } catch (err) {
    throw new NodeStartError("unreadable_file", `Cannot read the modules directory ${dir}: ${(err as Error).message}`);
  }
  for (const f of files) {
    try {
      const name = await modules.loadFile(await rt.realPath(`${dir}/${f}`));
      log.info("module_loaded", { module: name, file: `${dir}/${f}` });
    } catch (err) {
      throw new NodeStartError("module_failed", `${(err as Error).message}; fix or remove the file in ${dir}`, { cause: err });
    }
  }
}
