/**
 * A node's registration with its host's port mapper: start the mapper if
 * none runs (as `erl` does), register, and register again if the mapper
 * goes away and comes back.
 *
 * @module
 */
import { Backoff } from "../core/backoff.ts";
import { EpmdError } from "../epmd/errors.ts";
import { ensureEpmd } from "../epmd/ensure.ts";
import { type Registration, registerName } from "../epmd/client.ts";
import type { Runtime } from "../runtime/types.ts";
import type { Logger } from "../core/log.ts";
import { NodeStartError } from "./options.ts";

export interface MapperOptions {
  epmdPort: number;
  /** The name part of the node name. */
  name: string;
  port: number;
  /** Where an auto-started mapper writes its log. */
  logFile: string;
  /** Where an auto-started mapper keeps its names. Default: `epmd-PORT.state` next to `logFile`. */
  stateFile?: string;
  log: Logger;
}

// After the first retry, which is at once: a restarted mapper keeps a node's name for 10 s, and
// the node must be back well within that, without every node of the host knocking in step.
const RETRY_MS = { first: 100, max: 3_000 };

function stateFileOf(o: MapperOptions): string {
  return o.stateFile ?? o.logFile.replace(/[^/]*$/, `epmd-${o.epmdPort}.state`);
}

// The mapper needs no cookie, and it outlives the node: it must not carry the node's secrets in its environment.
const SECRET_ENV = /COOKIE|SECRET|TOKEN|PASSW(OR)?D|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i;

/** True for environment variables a spawned port mapper may inherit. */
export function mapperMayInherit(name: string): boolean {
  return !SECRET_ENV.test(name);
}

/** Starts a mapper that outlives this node, from this same program. */
function spawnMapper(rt: Runtime, o: MapperOptions) {
  const argv = ["epmd", "--port", String(o.epmdPort), "--state-file", stateFileOf(o)];
  const child = rt.spawnDetached([...rt.selfCommand(), ...argv], {
    logFile: o.logFile,
    keepEnv: mapperMayInherit,
  });
  // Its pid: the mapper outlives this node, and whoever wants it gone needs to know it.
  o.log.info("epmd_start", { port: o.epmdPort, pid: child.pid, log: o.logFile });
  return child;
}

async function registerOnce(rt: Runtime, o: MapperOptions, token?: string): Promise<Registration> {
  await ensureEpmd({ epmdPort: o.epmdPort, spawn: () => spawnMapper(rt, o), logFile: o.logFile });
  const { epmdPort, name, port } = o;
  return await registerName(rt, { epmdPort, name, port, pid: rt.pid, runtime: rt.name, token });
}

export class MapperRegistration {
  #rt: Runtime;
  #o: MapperOptions;
  #current?: Registration;
  #closed = false;
  #timer?: ReturnType<typeof setTimeout>;
  /** The mapper's token for our name: what gets the name back after the mapper restarts. */
  #token?: string;
  #delays = new Backoff({ firstMs: RETRY_MS.first, maxMs: RETRY_MS.max });

  private constructor(rt: Runtime, o: MapperOptions) {
    this.#rt = rt;
    this.#o = o;
  }

  /**
   * Registers the node. Throws NodeStartError "name_taken" when the mapper
   * has a node of this name, "epmd_unavailable" when no mapper can be
   * reached or started.
   */
  static async register(rt: Runtime, o: MapperOptions): Promise<MapperRegistration> {
    const m = new MapperRegistration(rt, o);
    try {
      m.#hold(await registerOnce(rt, o));
    } catch (err) {
      if (err instanceof EpmdError && err.reason === "refused") {
        throw new NodeStartError("name_taken", err.message, { cause: err });
      }
      const message = `Cannot register with the port mapper on port ${o.epmdPort}: ${(err as Error).message}`;
      throw new NodeStartError("epmd_unavailable", message, { cause: err });
    }
    return m;
  }

  #hold(r: Registration): void {
    this.#current = r;
    if (r.token) this.#token = r.token;
    this.#delays.reset();
    r.onLost((reason) => {
      if (this.#closed) return;
      this.#o.log.warn("epmd_lost", { reason });
      // At once: the sooner the node is back, the smaller the window for another process to take its name.
      this.#retry(0);
    });
  }

  #retry(delay: number): void {
    this.#timer = setTimeout(async () => {
      if (this.#closed) return;
      try {
        this.#hold(await registerOnce(this.#rt, this.#o, this.#token));
        this.#o.log.info("epmd_registered", { port: this.#o.epmdPort });
      } catch (err) {
        const next = this.#delays.next();
        this.#o.log.warn("epmd_retry", { message: (err as Error).message, retry_in_ms: next });
        this.#retry(next);
      }
    }, delay);
  }

  /** Unregisters; never rejects. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#current?.close();
  }
}
