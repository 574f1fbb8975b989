/**
 * A node's side of the port mapper: register a name for as long as a
 * WebSocket stays open (lookups are in lookup.ts). Every failure is an
 * `EpmdError` whose `reason` says which kind it is.
 *
 * @module
 */
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import { isPort } from "../core/name.ts";
import type { Runtime, Transport } from "../runtime/types.ts";
import { EpmdError } from "./errors.ts";
import { getJson } from "./http.ts";
import {
  CLOSE_CODES,
  decodeMessage,
  DEFAULT_EPMD_PORT,
  encodeMessage,
  EPMD_SERVICE,
  mapperBase,
  MAX_MESSAGE_BYTES,
  NAME_RULE,
} from "./protocol.ts";

/** A live registration; the name is held until `close()` or until the node dies. */
export interface Registration {
  readonly name: string;
  readonly port: number;
  /**
   * The mapper's token for this registration: give it as `token` when
   * registering the name again (after the mapper restarted), so that the
   * mapper gives it back to this node and to no one else. "" from a mapper
   * that gives no tokens.
   */
  readonly token: string;
  /**
   * Unregisters and closes the socket. Resolves once the mapper confirms the
   * name is gone (or after a short bound if it does not answer); never rejects.
   */
  close(): Promise<void>;
  /**
   * Runs `cb` once if the socket ends other than by `close()` (the mapper
   * stopped or died); at once if that already happened. Returns a function
   * that removes `cb`.
   */
  onLost(cb: (reason: string) => void): () => void;
}

export interface RegisterOptions {
  /** Default 127.0.0.1. */
  epmdHost?: string;
  /** Default 4370. */
  epmdPort?: number;
  /** The name part of the node name (`hoge` for `hoge@localhost`). */
  name: string;
  /** The node's listening port. */
  port: number;
  /** For the whole registration (connect and confirmation). Default 5000 ms. */
  timeoutMs?: number;
  /** Sent with the registration and shown by `/names`. */
  pid?: number;
  runtime?: string;
  /** How often an idle registration says it is alive. Default 30000 ms. */
  heartbeatMs?: number;
  /** The token of an earlier registration of this name (`Registration.token`). */
  token?: string;
}

function unreachable(where: string, cause?: unknown): EpmdError {
  return new EpmdError(
    "unreachable",
    `no port mapper on ${where}: start one with \`meshrpc epmd\` (a starting node starts one itself)`,
    { cause },
  );
}

const UNREGISTER_WITHIN_MS = 1000;

class LiveRegistration implements Registration {
  readonly name: string;
  readonly port: number;
  readonly token: string;
  #t: Transport;
  #lostHandlers = new Set<(reason: string) => void>();
  #lost?: string;
  #closing?: Promise<void>;
  #unregistered?: () => void;
  #heartbeat: ReturnType<typeof setInterval>;

  constructor(t: Transport, a: Attempt, token: string) {
    const { name, port, heartbeatMs } = a;
    this.#t = t;
    this.name = name;
    this.port = port;
    this.token = token;
    this.#heartbeat = setInterval(() => t.send(encodeMessage({ kind: "ping" })), heartbeatMs);
  }

  /** Called by `registerName` with the socket's later events. */
  message(kind: string | undefined): void {
    if (kind === "unregistered") this.#unregistered?.();
  }

  ended(code: number, reason: string): void {
    clearInterval(this.#heartbeat);
    this.#unregistered?.();
    if (this.#closing || this.#lost !== undefined) return;
    this.#lost = code === CLOSE_CODES.stopping
      ? "the port mapper stopped"
      : `the connection to the port mapper ended (${code}${reason ? `: ${reason}` : ""})`;
    for (const cb of [...this.#lostHandlers]) cb(this.#lost);
    this.#lostHandlers.clear();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#heartbeat);
      if (this.#lost !== undefined) return;
      const confirmed = new Promise<void>((resolve) => (this.#unregistered = resolve));
      this.#t.send(encodeMessage({ kind: "unregister" }));
      // A mapper that does not answer must not hold up a node's shutdown.
      await deadline(confirmed, UNREGISTER_WITHIN_MS).catch(() => {});
      this.#t.close(1000, "unregistered");
    })();
    return this.#closing;
  }

  onLost(cb: (reason: string) => void): () => void {
    if (this.#lost !== undefined) {
      const reason = this.#lost;
      queueMicrotask(() => cb(reason));
      return () => {};
    }
    if (this.#closing) return () => {};
    this.#lostHandlers.add(cb);
    return () => this.#lostHandlers.delete(cb);
  }
}

/**
 * Registers `name` → `port` with the mapper and keeps it registered while
 * the returned Registration lives. Throws RangeError for a malformed name or
 * port. Rejects with EpmdError: "unreachable" (no mapper there), "refused"
 * (name taken, peer not on the mapper's host; the message is the mapper's),
 * "timeout" (no confirmation within timeoutMs).
 */
export function registerName(rt: Runtime, options: RegisterOptions): Promise<Registration> {
  const { name, port } = options;
  if (!NAME_RULE.test(name)) {
    throw new RangeError(
      `Invalid name "${name}" to register: give the part before @ of the node name (letters, digits, "_", "-", ".")`,
    );
  }
  if (!isPort(port)) {
    throw new RangeError(`Invalid port ${port} to register: give the node's listening port (1-65535)`);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const base = mapperBase(options.epmdHost ?? "127.0.0.1", options.epmdPort ?? DEFAULT_EPMD_PORT, "ws");
  const where = base.slice("ws://".length);
  const query = new URLSearchParams({ name, port: String(port) });
  if (options.pid !== undefined) query.set("pid", String(options.pid));
  if (options.runtime !== undefined) query.set("runtime", options.runtime);

  const registering = openRegistration(rt, `${base}/register?${query}`, {
    where,
    name,
    port,
    timeoutMs,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    token: options.token,
  });
  return deadline(registering, timeoutMs).catch((err) => {
    if (!isTimeoutError(err)) throw err;
    // Too late to be of use: a registration that completes anyway must not keep the name.
    registering.then((r) => r.close(), () => {});
    throw new EpmdError(
      "timeout",
      `the port mapper on ${where} did not confirm registering ${name} within ${timeoutMs} ms: ` +
        "check that it is a meshrpc port mapper and not overloaded",
    );
  });
}

type Attempt = {
  where: string;
  name: string;
  port: number;
  timeoutMs: number;
  heartbeatMs: number;
  token?: string;
};

/** Dials the mapper and waits for `registered`. Rejects with EpmdError "unreachable" or "refused". */
async function openRegistration(rt: Runtime, url: string, a: Attempt): Promise<LiveRegistration> {
  let t: Transport;
  try {
    // More time than the caller's deadline, so that a slow connect reports "timeout", not "unreachable".
    t = await rt.dial(url, { timeoutMs: a.timeoutMs + 1000, maxMessageBytes: MAX_MESSAGE_BYTES });
  } catch (err) {
    // A mapper that answers HTTP but not the upgrade refused the socket (too many waiting, or not this host).
    const up = await getJson(`${url.replace(/^ws/, "http").replace(/\/register\?.*$/, "")}/health`, 500).catch(() => undefined);
    if (up?.status === 200 && (up.body as { service?: string })?.service === EPMD_SERVICE) {
      throw new EpmdError(
        "unreachable",
        `the port mapper on ${a.where} refused the registration socket of ${a.name} ` +
          "(it takes a few at a time, from this host only): try again in a moment",
        { cause: err },
      );
    }
    throw unreachable(a.where, err);
  }
  const refused = (why: string) =>
    new EpmdError("refused", `the port mapper refused ${a.name}: ${clipUntrusted(why, 400)}`);
  return new Promise((resolve, reject) => {
    let live: LiveRegistration | undefined;
    t.listen({
      message(data) {
        const m = decodeMessage(data);
        if (live) return live.message(m?.kind);
        if (m?.kind === "refused") {
          reject(refused(String(m.message)));
          t.close(1000, "refused");
        } else if (m?.kind === "registered") {
          live = new LiveRegistration(t, a, typeof m.token === "string" ? m.token : "");
          resolve(live);
        }
      },
      close(code, reason) {
        if (live) return live.ended(code, reason);
        if (code >= 4000 && code <= 4999) return reject(refused(reason));
        reject(
          new EpmdError(
            "unreachable",
            `the port mapper on ${a.where} closed the connection before confirming ${a.name} ` +
              `(${code}${reason ? `: ${reason}` : ""}): check that it is a meshrpc port mapper`,
          ),
        );
      },
    });
    t.send(encodeMessage(a.token ? { kind: "register", token: a.token } : { kind: "register" }));
  });
}

// Lookups live in lookup.ts; re-exported here, where callers have found them.
export { listNames, type LookupOptions, lookupPort } from "./lookup.ts";
