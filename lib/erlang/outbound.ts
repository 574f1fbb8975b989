/**
 * Calls from this node to Erlang processes, as `erpc` makes them:
 * `spawn_request` of `erpc:execute_call/4` with a monitor, the process's
 * end (`DOWN`) mapped to a CallResult; casts spawn `erpc:execute_cast/3`;
 * `is_auth` asks `net_kernel` as `Node.ping` does. Each call runs as a fresh
 * pid of this node, with one group leader that answers the `io_request`s of
 * remote code that prints (or a remote `IO.puts` would hang).
 *
 * @module
 */
import { badarg, type CallResult, exception, noconnection, timeout, type Value } from "../result.ts";
import type { ErlConnection } from "./connection.ts";
import { type Control, OP } from "./control.ts";
import { resultFromReason, showTerm } from "./erpc_results.ts";
import { DFLAG } from "./flags.ts";
import type { LocalIds } from "./local_ids.ts";
import { atom, atomText, Pid, Ref, termKey, Tuple, tuple } from "./wire_terms.ts";

interface Pending {
  conn: ErlConnection;
  settle(r: CallResult): void;
  /** The reference erpc's reply carries, and what was called. */
  res: Ref;
  module: string;
  fn: string;
  /** Set by SPAWN_REPLY: the process running the call. */
  child?: Pid;
  caller: Pid;
  /** Given up before the process was known: exit it when it is. */
  cancelled?: boolean;
}

export interface OutboundOptions {
  ids: LocalIds;
  /** Text remote code printed through this node's group leader. */
  onOutput?(node: string, text: string): void;
}

export class Outbound {
  #o: OutboundOptions;
  /** Calls by their request reference. */
  #calls = new Map<string, Pending>();
  /** `is_auth` replies waited for, by reference. */
  #replies = new Map<string, { conn: ErlConnection; settle(ok: boolean): void }>();
  readonly #groupLeader: Pid;

  constructor(options: OutboundOptions) {
    this.#o = options;
    this.#groupLeader = options.ids.permanentPid();
  }

  /**
   * Runs `module:fn(...args)` on the peer of `conn` and resolves its outcome:
   * `badarg` (nothing sent) when an argument cannot be encoded, `timeout`
   * after `timeoutMs` (the process is then exited), `noconnection` when the
   * connection goes. Rejects only with `signal.reason` (the process is exited).
   */
  call(conn: ErlConnection, module: string, fn: string, args: Value[], timeoutMs: number, signal?: AbortSignal): Promise<CallResult> {
    const ids = this.#o.ids;
    if (!(conn.peer.flags & DFLAG.SPAWN)) {
      return Promise.resolve(noconnection(conn.peer.name, "it does not take spawn_request (erpc needs OTP 23 or later)"));
    }
    const reqId = ids.ref();
    const res = ids.ref();
    const caller = ids.pid();
    const key = termKey(reqId);
    return new Promise<CallResult>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const done = (r: CallResult) => {
        finish();
        this.#calls.delete(key);
        resolve(r);
      };
      // Given up (timeout, abort): the process is exited, now or once its pid arrives.
      const abandon = () => {
        finish();
        const p = this.#calls.get(key);
        if (!p) return;
        p.cancelled = true;
        p.settle = () => this.#calls.delete(key);
        if (p.child) {
          this.#exitChild(p);
          this.#calls.delete(key);
        }
      };
      const onAbort = () => {
        abandon();
        reject(signal!.reason);
      };
      const control = tuple(OP.SPAWN_REQUEST, reqId, caller, this.#groupLeader, tuple(atom("erpc"), atom("execute_call"), 4), [atom("monitor")]);
      try {
        // Encoded whole before anything is written: a bad argument fails this call alone.
        if (!conn.send(control, [res, atom(module), atom(fn), args])) return resolve(noconnection(conn.peer.name));
      } catch (err) {
        return resolve(badarg(`The arguments of ${module}.${fn} cannot be sent to Erlang: ${(err as Error).message}`));
      }
      this.#calls.set(key, { conn, caller, res, module, fn, settle: done });
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          abandon();
          resolve(timeout(conn.peer.name, timeoutMs));
        }, Math.max(0, timeoutMs));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Spawns `erpc:execute_cast/3` on the peer: ok once sent, badarg when an argument cannot be encoded. */
  cast(conn: ErlConnection, module: string, fn: string, args: Value[]): CallResult {
    const ids = this.#o.ids;
    const control = tuple(OP.SPAWN_REQUEST, ids.ref(), ids.pid(), this.#groupLeader, tuple(atom("erpc"), atom("execute_cast"), 3), []);
    try {
      return conn.send(control, [atom(module), atom(fn), args]) ? { kind: "ok", value: true } : noconnection(conn.peer.name);
    } catch (err) {
      return badarg(`The arguments of ${module}.${fn} cannot be sent to Erlang: ${(err as Error).message}`);
    }
  }

  /** Asks the peer's `net_kernel` whether it accepts this node (`Node.ping`): true for `yes` within `timeoutMs`. */
  isAuth(conn: ErlConnection, timeoutMs: number): Promise<boolean> {
    const ref = this.#o.ids.ref();
    const from = this.#o.ids.pid();
    return new Promise((resolve) => {
      const key = termKey(ref);
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        this.#replies.delete(key);
        resolve(ok);
      };
      this.#replies.set(key, { conn, settle });
      // A plain reference as the tag: `[alias | Ref]` replies go to an alias, which needs DFLAG_ALIAS.
      const msg = tuple(atom("$gen_call"), tuple(from, ref), tuple(atom("is_auth"), atom(this.#o.ids.node)));
      if (!conn.send(tuple(OP.REG_SEND, from, atom(""), atom("net_kernel")), msg)) settle(false);
    });
  }

  /** Handles a control message for this side; false when it is not one. */
  handle(conn: ErlConnection, c: Control, payload: unknown): boolean {
    if (c.op === "spawn_reply") {
      const p = this.#calls.get(termKey(c.reqId));
      if (!p) return true;
      if (c.result instanceof Pid) {
        p.child = c.result;
        if (p.cancelled) {
          this.#exitChild(p);
          this.#calls.delete(termKey(c.reqId));
        }
      } else {
        p.settle(exception("ErlangError", `Erlang error: {:erpc, ${showTerm(c.result)}}`, undefined, c.result as Value));
      }
      return true;
    }
    if (c.op === "down") {
      const p = this.#calls.get(termKey(c.ref));
      if (p) p.settle(resultFromReason(conn.peer.name, c.reason, p.res, p.module, p.fn));
      return p !== undefined;
    }
    if (c.op === "send" && termKey(c.to) === termKey(this.#groupLeader)) {
      this.#io(conn, payload);
      return true;
    }
    if (c.op === "send" && payload instanceof Tuple && payload.length === 2) {
      const tag = payload[0];
      const waiting = tag instanceof Ref ? this.#replies.get(termKey(tag)) : undefined;
      waiting?.settle(atomText(payload[1]) === "yes");
      return waiting !== undefined;
    }
    return false;
  }

  /** The connection is gone: every call on it is `noconnection`, every ping `pang`. */
  connectionDown(conn: ErlConnection, reason: string): void {
    for (const p of [...this.#calls.values()]) if (p.conn === conn) p.settle(noconnection(conn.peer.name, reason));
    for (const w of [...this.#replies.values()]) if (w.conn === conn) w.settle(false);
  }

  /** Ends a call's process: an exit signal (for a TypeScript callee, its `this.signal` fires). */
  #exitChild(p: Pending): void {
    try {
      p.conn.send(tuple(OP.EXIT2, p.caller, p.child!, atom("kill")));
    } catch {
      // Nothing to encode but pids and an atom.
    }
  }

  /** `{io_request, From, ReplyAs, Request}` to the group leader: output is passed on, everything answered. */
  #io(conn: ErlConnection, msg: unknown): void {
    if (!(msg instanceof Tuple) || atomText(msg[0]) !== "io_request" || !(msg[1] instanceof Pid)) return;
    const req = msg[3];
    const put = req instanceof Tuple && atomText(req[0]) === "put_chars";
    if (put) {
      const chars = req[req.length - 1];
      const text = typeof chars === "string" ? chars : showTerm(chars);
      this.#o.onOutput?.(conn.peer.name, text);
    }
    const reply = put ? atom("ok") : tuple(atom("error"), atom("enotsup"));
    conn.send(tuple(OP.SEND, atom(""), msg[1]), tuple(atom("io_reply"), msg[2], reply));
  }
}
