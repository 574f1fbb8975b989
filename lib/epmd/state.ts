/**
 * The port mapper's memory across restarts: which names it held and their
 * registration tokens, in a small JSON file (mode 0600) that a restarted
 * mapper reads to reserve those names for their holders for a while.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import { EPMD_SERVICE, NAME_RULE } from "./protocol.ts";
import { type Holding, TOKEN_RULE } from "./registry.ts";

/** More than any host runs; a bigger file is cut here rather than read whole. */
const MAX_NAMES = 10_000;

/** Why a state file is not used: undefined when it may be read and written. */
export async function stateFileProblem(rt: Runtime, path: string): Promise<string | undefined> {
  const info = await rt.lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isSymbolicLink) return `${path} is a symbolic link: remove it`;
  if (!info.isFile) return `${path} is not a regular file: remove it or pick another --state-file`;
  if (info.uid !== rt.uid()) return `${path} belongs to uid ${info.uid}, not to this user: remove it`;
  if ((info.mode & 0o077) !== 0) return `${path} can be read by others (mode ${(info.mode & 0o777).toString(8)}): remove it`;
  return undefined;
}

/**
 * The names a previous run held. Empty when there is no file; rejects with an
 * Error saying what is wrong with the file when it cannot be read or parsed.
 */
export async function readState(rt: Runtime, path: string): Promise<Holding[]> {
  if (!(await rt.lstat(path))) return [];
  const value = JSON.parse(await rt.readTextFile(path)) as { service?: unknown; names?: unknown };
  if (value?.service !== EPMD_SERVICE || !Array.isArray(value.names)) {
    throw new Error(`${path} is not a port mapper state file`);
  }
  const valid = (h: Partial<Holding>): h is Holding =>
    typeof h?.name === "string" && NAME_RULE.test(h.name) && typeof h.token === "string" &&
    TOKEN_RULE.test(h.token) && (h.pid === undefined || (Number.isSafeInteger(h.pid) && h.pid > 0));
  return (value.names as Partial<Holding>[]).slice(0, MAX_NAMES).filter(valid)
    .map((h) => (h.pid === undefined ? { name: h.name, token: h.token } : { name: h.name, token: h.token, pid: h.pid }));
}

/**
 * Writes the latest holdings, one write at a time: a change made while a
 * write runs is written after it. A failed write is reported to `failed` and
 * never thrown: the mapper goes on with its memory only.
 */
export class StateWriter {
  #rt: Runtime;
  #path: string;
  #failed: (err: unknown) => void;
  #next?: () => Holding[];
  #running?: Promise<void>;

  constructor(rt: Runtime, path: string, failed: (err: unknown) => void) {
    this.#rt = rt;
    this.#path = path;
    this.#failed = failed;
  }

  /** Asks for `holdings()` to be written soon. */
  save(holdings: () => Holding[]): void {
    this.#next = holdings;
    this.#running ??= this.#drain();
  }

  /** Resolves once every asked-for write is done. Never rejects. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#next) {
      const holdings = this.#next();
      this.#next = undefined;
      const text = JSON.stringify({ service: EPMD_SERVICE, names: holdings });
      try {
        await this.#rt.writeTextFile(this.#path, text + "\n", { mode: 0o600 });
      } catch (err) {
        this.#failed(err);
      }
    }
    this.#running = undefined;
  }
}
