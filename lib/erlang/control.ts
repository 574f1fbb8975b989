/**
 * Distribution control messages (erlang/otp:erts/doc/guides/
 * erl_dist_protocol.md, "Protocol between connected nodes"): the tuples this
 * node reads, checked and turned into a tagged union (trace-token variants
 * read as the plain ones, the token dropped), and the numbers of those it
 * writes.
 *
 * @module
 */
import type { Value } from "../result.ts";
import { Atom, atomText, Pid, Ref, Tuple } from "./wire_terms.ts";

export const OP = {
  LINK: 1,
  SEND: 2,
  EXIT: 3,
  REG_SEND: 6,
  EXIT2: 8,
  MONITOR_P: 19,
  DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21,
  SEND_SENDER: 22,
  PAYLOAD_EXIT: 24,
  PAYLOAD_EXIT2: 26,
  PAYLOAD_MONITOR_P_EXIT: 28,
  SPAWN_REQUEST: 29,
  SPAWN_REPLY: 31,
  UNLINK_ID: 35,
  UNLINK_ID_ACK: 36,
} as const;

/** What a control message asks; `payload` is the message that came with it. */
export type Control =
  | { op: "send"; to: Pid }
  | { op: "reg_send"; from: Pid; name: string }
  | { op: "link"; from: Pid; to: Pid }
  | { op: "unlink_id"; id: Value; from: Pid; to: Pid }
  /** EXIT (a linked process ended) or EXIT2 (`exit/2`); `reason` from the tuple or the payload. */
  | { op: "exit"; from: Pid; to: Pid; reason: unknown }
  | { op: "monitor"; from: Pid; to: Pid | Atom; ref: Ref }
  | { op: "demonitor"; from: Pid; to: Pid | Atom; ref: Ref }
  | { op: "down"; from: Pid | Atom; to: Pid; ref: Ref; reason: unknown }
  | { op: "spawn_request"; reqId: Ref; from: Pid; groupLeader: Pid; module: string; fn: string; arity: number; opts: Value[] }
  | { op: "spawn_reply"; reqId: Ref; to: Pid; flags: number; result: unknown }
  | { op: "other"; number: number };

/** Trace-token variants: their plain number and where the token sits. */
const TRACED: Record<number, [number, number]> = {
  12: [2, 3],
  13: [3, 3],
  16: [6, 4],
  18: [8, 3],
  23: [22, 3],
  25: [24, 3],
  27: [26, 3],
  30: [29, 6],
  32: [31, 5],
  34: [33, 3],
};

const isPid = (x: unknown): x is Pid => x instanceof Pid;
const isRef = (x: unknown): x is Ref => x instanceof Ref;

/**
 * The control tuple (as an array) and its payload, as a `Control`.
 * Throws TypeError naming the operation when its fields have the wrong
 * types: the connection should then be closed, as Erlang does.
 */
export function parseControl(raw: Value[], payload: unknown): Control {
  let t = raw;
  const traced = TRACED[t[0] as number];
  if (traced) t = [traced[0], ...t.slice(1, traced[1]), ...t.slice(traced[1] + 1)];
  const n = t[0] as number;
  const bad = () => new TypeError(`control message ${n} has fields of the wrong types`);
  const pid = (i: number) => {
    if (!isPid(t[i])) throw bad();
    return t[i] as Pid;
  };
  const ref = (i: number) => {
    if (!isRef(t[i])) throw bad();
    return t[i] as Ref;
  };
  const pidOrName = (i: number) => {
    if (!isPid(t[i]) && !Atom.is(t[i])) throw bad();
    return t[i] as Pid | Atom;
  };
  switch (n) {
    case OP.SEND:
      return { op: "send", to: pid(2) };
    case OP.SEND_SENDER:
      return { op: "send", to: pid(2) };
    case OP.REG_SEND: {
      const name = atomText(t[3]);
      if (name === undefined) throw bad();
      return { op: "reg_send", from: pid(1), name };
    }
    case OP.LINK:
      return { op: "link", from: pid(1), to: pid(2) };
    case OP.UNLINK_ID:
      return { op: "unlink_id", id: t[1], from: pid(2), to: pid(3) };
    case OP.EXIT:
    case OP.EXIT2:
      return { op: "exit", from: pid(1), to: pid(2), reason: t[3] };
    case OP.PAYLOAD_EXIT:
    case OP.PAYLOAD_EXIT2:
      return { op: "exit", from: pid(1), to: pid(2), reason: payload };
    case OP.MONITOR_P:
      return { op: "monitor", from: pid(1), to: pidOrName(2), ref: ref(3) };
    case OP.DEMONITOR_P:
      return { op: "demonitor", from: pid(1), to: pidOrName(2), ref: ref(3) };
    case OP.MONITOR_P_EXIT:
      return { op: "down", from: pidOrName(1), to: pid(2), ref: ref(3), reason: t[4] };
    case OP.PAYLOAD_MONITOR_P_EXIT:
      return { op: "down", from: pidOrName(1), to: pid(2), ref: ref(3), reason: payload };
    case OP.SPAWN_REQUEST: {
      const mfa = t[4];
      const module = mfa instanceof Tuple ? atomText(mfa[0]) : undefined;
      const fn = mfa instanceof Tuple ? atomText(mfa[1]) : undefined;
      if (module === undefined || fn === undefined || typeof (mfa as Tuple)[2] !== "number" || !Array.isArray(t[5])) throw bad();
      return {
        op: "spawn_request",
        reqId: ref(1),
        from: pid(2),
        groupLeader: pid(3),
        module,
        fn,
        arity: (mfa as Tuple)[2] as number,
        opts: t[5] as Value[],
      };
    }
    case OP.SPAWN_REPLY:
      if (typeof t[3] !== "number") throw bad();
      return { op: "spawn_reply", reqId: ref(1), to: pid(2), flags: t[3], result: t[4] };
    default:
      return { op: "other", number: n };
  }
}
