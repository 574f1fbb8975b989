/**
 * What this node does for Erlang peers: runs their `spawn_request`s
 * (`erpc:call` spawns `erpc:execute_call/4`, `erpc:cast` and OTP 25's
 * `rpc:cast` `execute_cast/3`, `Node.spawn` any function) through the node's
 * call path, as a process that ends with the reason a BEAM callee would;
 * answers `net_kernel`'s `is_auth` (`Node.ping`) and `rex`'s feature
 * request; keeps the monitors and links on the processes it runs (a
 * DEMONITOR of a running erpc call means the caller timed out: the call's
 * `this.signal` fires; so does an exit signal).
 *
 * @module
 */
import type { Value } from "../result.ts";
import type { CallResult } from "../result.ts";
import type { ErlConnection } from "./connection.ts";
import { type Control, OP } from "./control.ts";
import { erpcReason, plainExitReason } from "./erpc_results.ts";
import { DFLAG } from "./flags.ts";
import type { LocalIds } from "./local_ids.ts";
import { Atom, atom, atomText, Pid, termKey, Tuple, tuple } from "./wire_terms.ts";

/** A call an Erlang peer asks this node to run (`module` without `Elixir.`). */
export interface ErlIncomingCall {
  caller: string;
  module: string;
  function: string;
  args: Value[];
  signal: AbortSignal;
}

export interface InboundOptions {
  ids: LocalIds;
  /** Runs a call through the node's call path; never rejects. */
  call(req: ErlIncomingCall): Promise<CallResult>;
  /** A reply that could not be encoded, and what was sent instead. */
  onEncodeFailure?(what: string, error: Error): void;
}

interface Running {
  conn: ErlConnection;
  abort: AbortController;
  monitors: Map<string, { from: Pid; ref: Value }>;
  links: Map<string, Pid>;
  /** The spawn monitor of an erpc call: its removal means the caller gave up. */
  callMonitor?: string;
}

/** Names this node answers for: a monitor on them is kept quiet, as on a live process. */
const REGISTERED = new Set(["net_kernel", "rex"]);

export class Inbound {
  #o: InboundOptions;
  #running = new Map<string, Running>();
  /** Replies from `net_kernel` and `rex` come from this pid. */
  readonly #system: Pid;

  constructor(options: InboundOptions) {
    this.#o = options;
    this.#system = options.ids.permanentPid();
  }

  /** Handles a control message meant for a process of this node; false when it is not this side's. */
  handle(conn: ErlConnection, c: Control, payload: unknown): boolean {
    switch (c.op) {
      case "spawn_request":
        this.#spawn(conn, c, payload);
        return true;
      case "reg_send":
        this.#registered(conn, c.name, payload);
        return true;
      case "monitor":
        this.#monitor(conn, c);
        return true;
      case "demonitor": {
        const r = c.to instanceof Pid ? this.#running.get(termKey(c.to)) : undefined;
        const key = termKey(c.ref);
        if (r?.monitors.delete(key) && r.callMonitor === key) r.abort.abort(new Error("the Erlang caller gave up (timeout)"));
        return true;
      }
      case "link": {
        const r = this.#running.get(termKey(c.to));
        if (r) r.links.set(termKey(c.from), c.from);
        else conn.send(tuple(OP.EXIT, c.to, c.from, atom("noproc")));
        return true;
      }
      case "unlink_id":
        this.#running.get(termKey(c.to))?.links.delete(termKey(c.from));
        conn.send(tuple(OP.UNLINK_ID_ACK, c.id, c.to, c.from));
        return true;
      case "exit": {
        const r = this.#running.get(termKey(c.to));
        if (!r) return false;
        if (atomText(c.reason) !== "normal") r.abort.abort(new Error(`exit signal from ${c.from}`));
        return true;
      }
      default:
        return false;
    }
  }

  /** The connection is gone: calls it started are cancelled (their outcome has nowhere to go). */
  connectionDown(conn: ErlConnection): void {
    for (const [key, r] of this.#running) {
      if (r.conn !== conn) continue;
      this.#running.delete(key);
      r.abort.abort(new Error(`lost the connection to ${conn.peer.name}`));
    }
  }

  /** Sends `message` to `to`, from `from` when the peer takes SEND_SENDER. */
  send(conn: ErlConnection, from: Pid, to: Pid, message: unknown): void {
    const control = conn.peer.flags & DFLAG.SEND_SENDER ? tuple(OP.SEND_SENDER, from, to) : tuple(OP.SEND, atom(""), to);
    conn.send(control, message);
  }

  #registered(conn: ErlConnection, name: string, msg: unknown): void {
    if (!(msg instanceof Tuple)) return;
    if (name === "net_kernel" && atomText(msg[0]) === "$gen_call" && msg[1] instanceof Tuple && msg[2] instanceof Tuple) {
      const [from, tag] = msg[1];
      // The tag is echoed as it came: `[alias | Ref]` must stay byte-exact.
      if (from instanceof Pid && atomText(msg[2][0]) === "is_auth") this.send(conn, this.#system, from, tuple(tag, atom("yes")));
    } else if (name === "rex" && msg[0] instanceof Pid && atomText(msg[1]) === "features_request") {
      this.send(conn, this.#system, msg[0], tuple(atom("features_reply"), atom(this.#o.ids.node), [atom("erpc")]));
    }
    // Anything else (global's init_connect, ...) is dropped, as a message to a process that ignores it.
  }

  #monitor(conn: ErlConnection, c: Extract<Control, { op: "monitor" }>): void {
    const r = c.to instanceof Pid ? this.#running.get(termKey(c.to)) : undefined;
    if (r) r.monitors.set(termKey(c.ref), { from: c.from, ref: c.ref });
    // io monitors the group leader for every request: it must look alive.
    else if (!(c.to instanceof Atom ? REGISTERED.has(c.to.name) : this.#o.ids.isPermanent(c.to))) {
      conn.send(tuple(OP.MONITOR_P_EXIT, c.to, c.from, c.ref, atom("noproc")));
    }
  }

  #spawn(conn: ErlConnection, c: Extract<Control, { op: "spawn_request" }>, args: unknown): void {
    const opt = (name: string) => c.opts.some((o) => atomText(o) === name || (o instanceof Tuple && atomText(o[0]) === name));
    if (!Array.isArray(args) || args.length !== c.arity) {
      conn.send(tuple(OP.SPAWN_REPLY, c.reqId, c.from, 0, atom("badarg")));
      return;
    }
    const child = this.#o.ids.pid();
    const r: Running = { conn, abort: new AbortController(), monitors: new Map(), links: new Map() };
    const flags = (opt("link") ? 1 : 0) | (opt("monitor") ? 2 : 0);
    if (flags & 1) r.links.set(termKey(c.from), c.from);
    if (flags & 2) {
      r.monitors.set(termKey(c.reqId), { from: c.from, ref: c.reqId });
      r.callMonitor = termKey(c.reqId);
    }
    this.#running.set(termKey(child), r);
    conn.send(tuple(OP.SPAWN_REPLY, c.reqId, c.from, flags, child));

    const erpc = c.module === "erpc" ? c.fn : undefined;
    let target = { module: c.module, fn: c.fn, args: args as Value[] };
    if ((erpc === "execute_call" && c.arity === 4) || (erpc === "execute_cast" && c.arity === 3)) {
      const a = args as Value[];
      const [m, f, list] = erpc === "execute_call" ? a.slice(1) : a;
      target = { module: atomText(m) ?? "", fn: atomText(f) ?? "", args: Array.isArray(list) ? list : [] };
    }
    const [modAtom, fnAtom] = [atom(target.module), atom(target.fn)];
    void this.#o.call({
      caller: conn.peer.name,
      module: target.module.replace(/^Elixir\./, ""),
      function: target.fn,
      args: target.args,
      signal: r.abort.signal,
    }).then((result) => {
      const reason = erpc === "execute_call"
        ? erpcReason((args as Value[])[0], result, modAtom, fnAtom, target.args)
        : erpc === "execute_cast"
        ? atom("normal")
        : plainExitReason(result, modAtom, fnAtom, target.args);
      this.#exit(child, r, reason, () => erpcReason((args as Value[])[0], badValue(result), modAtom, fnAtom, target.args));
    });
  }

  /** The process `child` ends with `reason`: its monitors get DOWN, its links EXIT. */
  #exit(child: Pid, r: Running, reason: Value, fallback: () => Value): void {
    if (this.#running.get(termKey(child)) !== r) return;
    this.#running.delete(termKey(child));
    const payload = (r.conn.peer.flags & DFLAG.EXIT_PAYLOAD) !== 0n;
    const deliver = (why: Value) => {
      for (const m of r.monitors.values()) {
        if (payload) r.conn.send(tuple(OP.PAYLOAD_MONITOR_P_EXIT, child, m.from, m.ref), why);
        else r.conn.send(tuple(OP.MONITOR_P_EXIT, child, m.from, m.ref, why));
      }
      for (const l of r.links.values()) {
        if (payload) r.conn.send(tuple(OP.PAYLOAD_EXIT, child, l), why);
        else r.conn.send(tuple(OP.EXIT, child, l, why));
      }
    };
    try {
      deliver(reason);
    } catch (err) {
      // The value cannot be sent as a term: the caller gets an error instead of a dropped link.
      this.#o.onEncodeFailure?.(`the result for ${r.conn.peer.name}`, err as Error);
      deliver(fallback());
    }
  }
}

/** What a result that cannot be encoded becomes: an exception naming why. */
function badValue(result: CallResult): CallResult {
  return { kind: "exception", name: "EncodeError", message: `the function returned a value that Erlang cannot take (${result.kind})` };
}
