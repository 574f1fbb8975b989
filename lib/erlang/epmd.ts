/**
 * A client of Erlang's port mapper daemon, epmd (erlang/otp
 * erts/doc/guides/erl_dist_protocol.md): register this node's name and
 * distribution port, look up another node's port, list the names. It talks
 * through the `TcpNet` it is handed.
 *
 * @module
 */
import { deadline, isTimeoutError } from "../core/deadline.ts";
import { isPort } from "../core/name.ts";
import { sleep } from "../core/sleep.ts";
import type { TcpNet, TcpStream } from "../runtime/tcp_types.ts";
import {
  alive2Request,
  EPMD,
  MAX_NAME_BYTES,
  namesRequest,
  portPleaseRequest,
  readNames,
  readPortResponse,
} from "./epmd_protocol.ts";
import { StreamReader } from "./stream_reader.ts";

/** The port epmd listens on when `ERL_EPMD_PORT` says nothing. */
export const DEFAULT_EPMD_PORT = 4369;

/** The distribution protocol version this node speaks (OTP 23+). */
export const DIST_VERSION = 6;

/** Where epmd is: host and port. */
export type EpmdAddress = { host: string; port: number };

/**
 * What epmd knows about a registered node (PORT2_RESP): `name` without
 * `@host`, its distribution `port`, `type` "normal" (77) or "hidden" (72),
 * `protocol` 0 for TCP/IPv4, the distribution versions it speaks, `extra`.
 */
export type { NodeInfo as NodeEntry } from "./epmd_protocol.ts";
import type { NodeInfo } from "./epmd_protocol.ts";

export type RegisterOptions = {
  /** The node name without `@host` (`ts` for `ts@localhost`). */
  name: string;
  /** The port this node accepts distribution connections on. */
  port: number;
  /** Register as a hidden node (type 72) rather than a normal one (77). */
  hidden?: boolean;
  /** Keep trying this long (ms) while epmd says the name is taken (it may be a stale registration). Default 3000. */
  retryMs?: number;
  /** Gives up connecting after this long (ms). Default 2000. */
  timeoutMs?: number;
};

/** A registration held open with epmd: the name is registered for as long as its connection lives. */
export interface Registration {
  /** The creation epmd assigned (ALIVE2_X_RESP): goes into the handshake and every pid, ref and port. */
  readonly creation: number;
  /** Resolves when epmd dropped the connection (the name is no longer registered), not after `close()`. */
  readonly lost: Promise<void>;
  /** Unregisters (closes the connection). */
  close(): void;
}

/** The epmd port from `ERL_EPMD_PORT` (as `env` reads it), else 4369; throws RangeError for a value that is not a port. */
export function epmdPortFromEnv(env: (name: string) => string | undefined): number {
  const raw = env("ERL_EPMD_PORT");
  if (raw === undefined || raw === "") return DEFAULT_EPMD_PORT;
  const port = Number(raw);
  if (!isPort(port)) {
    throw new RangeError(`ERL_EPMD_PORT must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

/** Something went wrong talking to epmd; the message says what and what to do. */
export class EpmdError extends Error {
  override name = "EpmdError";
}

const DEFAULT_TIMEOUT_MS = 2000;
// Larger than any real NAMES answer; a peer that sends more is not epmd.
const MAX_NAMES_BYTES = 1 << 20;

function where(epmd: EpmdAddress): string {
  return `epmd at ${epmd.host}:${epmd.port}`;
}

async function connect(net: TcpNet, epmd: EpmdAddress, timeoutMs: number): Promise<TcpStream> {
  try {
    return await net.connectTcp(epmd.host, epmd.port, { timeoutMs });
  } catch (err) {
    throw new EpmdError(
      `Cannot reach ${where(epmd)} (${(err as Error).message}): start it with \`epmd -daemon\`, or set ERL_EPMD_PORT to the port it listens on`,
      { cause: err },
    );
  }
}

/** Runs one exchange on a fresh connection, within `timeoutMs`; the connection is closed afterwards. */
async function exchange<T>(
  net: TcpNet,
  epmd: EpmdAddress,
  timeoutMs: number,
  what: string,
  talk: (stream: TcpStream, reader: StreamReader) => Promise<T>,
): Promise<T> {
  const stream = await connect(net, epmd, timeoutMs);
  const reader = new StreamReader(stream);
  try {
    return await deadline(talk(stream, reader), timeoutMs);
  } catch (err) {
    if (err instanceof EpmdError) throw err;
    const why = isTimeoutError(err) ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw new EpmdError(`${where(epmd)} did not answer ${what}: ${why}`, { cause: err });
  } finally {
    stream.close();
  }
}

function checkName(name: string): void {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes > MAX_NAME_BYTES || name.includes("@")) {
    throw new RangeError(`A node name for epmd is 1 to ${MAX_NAME_BYTES} bytes without "@host", not ${JSON.stringify(name)}`);
  }
}

/** One ALIVE2_REQ; resolves the creation, or undefined when the name is taken. */
async function alive(stream: TcpStream, reader: StreamReader, options: RegisterOptions): Promise<number | undefined> {
  stream.write(alive2Request({
    name: options.name,
    port: options.port,
    type: options.hidden ? "hidden" : "normal",
    protocol: 0,
    highestVersion: DIST_VERSION,
    lowestVersion: DIST_VERSION,
    extra: new Uint8Array(0),
  }));
  const [tag] = await reader.read(1);
  if (tag !== EPMD.ALIVE2_X_RESP && tag !== EPMD.ALIVE2_RESP) {
    throw new EpmdError(`Unexpected answer to ALIVE2_REQ (tag ${tag}): is this port an epmd?`);
  }
  const rest = await reader.read(tag === EPMD.ALIVE2_X_RESP ? 5 : 3);
  if (rest[0] !== 0) return undefined;
  const v = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
  return tag === EPMD.ALIVE2_X_RESP ? v.getUint32(1) : v.getUint16(1);
}

/**
 * Registers `options.name` at `options.port` with epmd (ALIVE2_REQ,
 * versions 6–6) and keeps the connection open as the registration. Re-register
 * when `lost` resolves (epmd restarted), keeping the first creation for
 * this node's pids, as OTP does.
 *
 * Throws RangeError for a name that is empty, over 255 bytes or holds "@".
 * Rejects with `EpmdError` when epmd cannot be reached, answers something
 * that is not ALIVE2_X_RESP/ALIVE2_RESP, or still refuses the name (taken)
 * after `retryMs`.
 */
export async function registerNode(net: TcpNet, epmd: EpmdAddress, options: RegisterOptions): Promise<Registration> {
  checkName(options.name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const giveUp = Date.now() + (options.retryMs ?? 3000);
  for (;;) {
    const stream = await connect(net, epmd, timeoutMs);
    const reader = new StreamReader(stream);
    let creation: number | undefined;
    try {
      creation = await deadline(alive(stream, reader, options), timeoutMs);
    } catch (err) {
      stream.close();
      if (err instanceof EpmdError) throw err;
      const why = isTimeoutError(err) ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new EpmdError(`${where(epmd)} did not answer the registration of ${options.name}: ${why}`, { cause: err });
    }
    if (creation !== undefined) return registration(stream, reader, creation);
    stream.close();
    if (Date.now() >= giveUp) {
      throw new EpmdError(
        `${where(epmd)} refuses the name ${JSON.stringify(options.name)}: a node with that name is running; stop it or pick another name`,
      );
    }
    // epmd may not have seen the previous owner of the name go yet (erlang/otp#11083).
    await sleep(200);
  }
}

function registration(stream: TcpStream, reader: StreamReader, creation: number): Registration {
  let closing = false;
  const lost = reader.closed().then(() => {
    if (closing) return new Promise<void>(() => {});
  });
  return {
    creation,
    lost,
    close() {
      closing = true;
      stream.close();
    },
  };
}

/**
 * Asks epmd for the port of node `name` (without `@host`; PORT_PLEASE2_REQ).
 * Resolves undefined when epmd has no such name.
 *
 * Rejects with `EpmdError` when epmd cannot be reached within `timeoutMs`
 * (default 2000) or answers malformed bytes.
 */
export function lookupNode(
  net: TcpNet,
  epmd: EpmdAddress,
  name: string,
  options: { timeoutMs?: number } = {},
): Promise<NodeInfo | undefined> {
  return exchange(net, epmd, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, `the lookup of ${name}`, async (stream, reader) => {
    stream.write(portPleaseRequest(name));
    const [tag, result] = await reader.read(2);
    if (tag !== EPMD.PORT2_RESP) throw new EpmdError(`Unexpected answer to PORT_PLEASE2_REQ (tag ${tag}) from ${where(epmd)}`);
    if (result !== 0) return undefined;
    const entry = readPortResponse(await reader.readToEnd(64 * 1024));
    if (!entry) throw new EpmdError(`Malformed PORT2_RESP from ${where(epmd)}`);
    return entry;
  });
}

/**
 * The names epmd has registered and their ports (NAMES_REQ).
 *
 * Rejects with `EpmdError` when epmd cannot be reached or answers malformed bytes.
 */
export function listNames(
  net: TcpNet,
  epmd: EpmdAddress,
  options: { timeoutMs?: number } = {},
): Promise<{ name: string; port: number }[]> {
  return exchange(net, epmd, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "NAMES_REQ", async (stream, reader) => {
    stream.write(namesRequest());
    await reader.read(4);
    return readNames(await reader.readToEnd(MAX_NAMES_BYTES));
  });
}
