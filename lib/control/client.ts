/**
 * The control plane's client side, used by the CLI: one method per route,
 * CBOR over the daemon's Unix socket.
 *
 * @module
 */
import { decode } from "../codec/cbor_decode.ts";
import { encode } from "../codec/cbor_encode.ts";
import type { NodeEvent } from "../core/events.ts";
import type { CallResult, Failure } from "../result.ts";
import type { CallRequest } from "../rpc/request.ts";
import type { Runtime } from "../runtime/types.ts";
import { type LoadRequest, type MulticallRequest, type NodeResult, type NodeStatus, ROUTES } from "./protocol.ts";
import { socketProblem } from "./socket_check.ts";
import { ControlError } from "./control_error.ts";

/**
 * What a request that could not reach the socket throws instead of `error`
 * (a ControlError): the CLI says "no node is running" when nothing answers.
 */
export type Unreachable = (error: ControlError) => Promise<Error>;

export class ControlClient {
  readonly socket: string;
  #rt: Runtime;
  #unreachable?: Unreachable;
  #checked?: Promise<void>;

  constructor(rt: Runtime, socket: string, unreachable?: Unreachable) {
    this.#rt = rt;
    this.socket = socket;
    this.#unreachable = unreachable;
  }

  async #request(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const res = await this.#send(method, path, body);
    return decode(new Uint8Array(await res.arrayBuffer()));
  }

  /** Throws ControlError when the socket is not one this user's node made (see `socketProblem`). */
  async #check(): Promise<void> {
    const problem = await socketProblem(this.#rt, this.socket);
    if (problem) {
      throw new ControlError(
        `Refusing to talk to ${this.socket}: it ${problem}. Remove it (rm ${this.socket}) unless you know who put it there`,
      );
    }
  }

  async #send(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    await (this.#checked ??= this.#check());
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = encode(body) as BodyInit;
      init.headers = { "content-type": "application/cbor" };
    }
    try {
      return await this.#rt.fetchUnix(this.socket, new Request(`http://meshrpc${path}`, init));
    } catch (err) {
      const error = new ControlError(`Cannot reach the node's control socket ${this.socket}: ${(err as Error).message}`, {
        cause: err,
      });
      throw this.#unreachable ? await this.#unreachable(error) : error;
    }
  }

  status(): Promise<NodeStatus> {
    return this.#request("GET", ROUTES.status) as Promise<NodeStatus>;
  }
  nodes(): Promise<{ nodes: string[]; hidden: string[] }> {
    return this.#request("GET", ROUTES.nodes) as Promise<{ nodes: string[]; hidden: string[] }>;
  }
  call(req: CallRequest): Promise<CallResult> {
    return this.#request("POST", ROUTES.call, wire(req)) as Promise<CallResult>;
  }
  cast(req: CallRequest): Promise<CallResult> {
    return this.#request("POST", ROUTES.cast, wire(req)) as Promise<CallResult>;
  }
  multicall(req: MulticallRequest): Promise<NodeResult[] | Failure> {
    return this.#request("POST", ROUTES.multicall, wire(req)) as Promise<NodeResult[] | Failure>;
  }
  ping(node: string): Promise<CallResult> {
    return this.#request("POST", ROUTES.ping, { node }) as Promise<CallResult>;
  }
  join(node: string): Promise<CallResult> {
    return this.#request("POST", ROUTES.join, { node }) as Promise<CallResult>;
  }
  disconnect(node: string): Promise<CallResult> {
    return this.#request("POST", ROUTES.disconnect, { node }) as Promise<CallResult>;
  }
  load(req: LoadRequest): Promise<NodeResult[] | Failure> {
    return this.#request("POST", ROUTES.load, req) as Promise<NodeResult[] | Failure>;
  }
  stop(): Promise<CallResult> {
    return this.#request("POST", ROUTES.stop, {}) as Promise<CallResult>;
  }

  /** Streams events until the daemon stops or `signal` aborts; resolves then. */
  async events(onEvent: (e: NodeEvent | { type: "subscribed"; node: string }) => void, signal?: AbortSignal) {
    const res = await this.#send("GET", ROUTES.events);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    signal?.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
    let buffered = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += value;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line) onEvent(JSON.parse(line));
        }
      }
    } catch {
      // The daemon went away or the reader was cancelled: the stream is over either way.
    }
  }
}

/** The wire names of a request (`timeout`, as in the HTTP body). */
function wire(req: { timeoutMs?: number }): Record<string, unknown> {
  const { timeoutMs, ...rest } = req as Record<string, unknown> & { timeoutMs?: number };
  return timeoutMs === undefined ? rest : { ...rest, timeout: timeoutMs };
}
