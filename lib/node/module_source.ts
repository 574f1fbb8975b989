/**
 * Modules sent as source (`meshrpc load`, `code.load`): written under the
 * node's runtime directory and imported from there.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { moduleNameOf, type Modules } from "../rpc/modules.ts";
import type { Runtime } from "../runtime/types.ts";

let loads = 0;

/**
 * Imports `source` as module `file` (`Person.ts` → `Person`), replacing a
 * module of that name. Throws ModuleError when the file name is not a module
 * name or the source does not import.
 */
export async function loadSource(
  rt: Runtime,
  modules: Modules,
  dir: string,
  file: string,
  source: string,
): Promise<{ module: string; functions: string[] } & Record<string, Value>> {
  const name = moduleNameOf(file);
  const ext = file.slice(file.lastIndexOf("."));
  await rt.mkdir(dir, 0o700);
  // Runtimes cache imports by path: a new path per load makes a reload take effect.
  const path = `${dir}/${name}.${Date.now()}-${++loads}${ext}`;
  // Exclusive creation: a file or link already at the path is never followed or overwritten.
  await rt.writeTextFile(path, source, { mode: 0o600, createNew: true });
  try {
    await modules.loadFile(path, name);
  } finally {
    await rt.remove(path);
  }
  return { module: name, functions: modules.functions(name) ?? [] };
}
