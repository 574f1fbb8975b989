/**
 * The modules a node can run: built-ins, user files from `--modules DIR` and
 * `meshrpc load`, and what the library `register`s.
 *
 * @module
 */
import type { ModuleFunctions, RemoteFunction } from "./context.ts";

export const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A module cannot be registered or loaded (the message says why and what to do). */
export class ModuleError extends Error {
  /** Always "ModuleError". */
  override name = "ModuleError";
}

function functionsOf(name: string, source: Record<string, unknown>): ModuleFunctions {
  const fns: ModuleFunctions = Object.create(null);
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === "function") fns[key] = value as RemoteFunction;
  }
  if (Object.keys(fns).length === 0) {
    throw new ModuleError(`Module ${name} exports no functions: export the functions that may be called`);
  }
  return fns;
}

export class Modules {
  #modules = new Map<string, ModuleFunctions>();
  #sticky = new Set<string>();

  /** Built-ins cannot be replaced, as Erlang's sticky kernel modules. */
  addBuiltin(name: string, fns: ModuleFunctions): void {
    this.#modules.set(name, functionsOf(name, fns));
    this.#sticky.add(name);
  }

  /**
   * Registers (or replaces) a module. Throws ModuleError for an invalid or
   * built-in name, or an object without functions.
   */
  register(name: string, fns: Record<string, unknown>): void {
    if (!MODULE_NAME.test(name)) {
      throw new ModuleError(
        `Invalid module name "${name}": use letters, digits, "_", "-" and "." and start with a letter`,
      );
    }
    if (this.#sticky.has(name)) {
      throw new ModuleError(`Module ${name} is built in and cannot be replaced: pick another name`);
    }
    this.#modules.set(name, functionsOf(name, fns));
  }

  /** The function, if that module exports it (own properties only: never `toString`). */
  lookup(module: string, fn: string): RemoteFunction | undefined {
    const m = this.#modules.get(module);
    return m && Object.hasOwn(m, fn) ? m[fn] : undefined;
  }

  names(): string[] {
    return [...this.#modules.keys()].sort();
  }

  functions(module: string): string[] | undefined {
    const m = this.#modules.get(module);
    return m ? Object.keys(m).sort() : undefined;
  }

  /**
   * Imports a `.ts`/`.js` file as a module, named after the file unless
   * `name` is given. Runtimes cache imports by path, so a reload must come
   * from a new path (see `moduleFileName`). Returns the module name. Throws
   * ModuleError when the name is not a module name or the import fails (with
   * the import error's message).
   */
  async loadFile(absPath: string, name: string = moduleNameOf(absPath)): Promise<string> {
    let exports: Record<string, unknown>;
    try {
      exports = await import(`file://${encodeURI(absPath)}`);
    } catch (err) {
      throw new ModuleError(`Cannot load ${absPath}: ${(err as Error).message}`, { cause: err });
    }
    this.register(name, exports);
    return name;
  }
}

/** `Person` for `/x/Person.ts`. Throws ModuleError for a file that is not a module. */
export function moduleNameOf(path: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  const m = /^(.+)\.(ts|js|mjs|mts)$/.exec(file);
  if (!m) throw new ModuleError(`${path} is not a module: give a .ts or .js file`);
  if (!MODULE_NAME.test(m[1])) {
    throw new ModuleError(`${file} cannot be a module: its name must be letters, digits, "_", "-", "." and start with a letter`);
  }
  return m[1];
}
