/**
 * Terms as the distribution connection sends them: the pass-through frame
 * `'p' 131 Control [131 Message]` (no atom cache, no fragments), and the
 * small helpers control messages are built with: atoms, tuples, and keys
 * for pids and references (they are objects; maps need strings).
 *
 * @module
 */
import type { Limits } from "../codec/limits.ts";
import type { Value } from "../result.ts";
import { Atom, decodeTermAt, encodeTerm, ImproperList, Pid, Ref, Tuple } from "./term.ts";

const PASS_THROUGH = 112;

/** An atom. */
export function atom(name: string): Atom {
  return new Atom(name);
}

/** A tuple of `items`. */
export function tuple(...items: Value[]): Tuple {
  return new Tuple(items);
}

/** A string that tells a pid or reference from every other (node, creation and ids). */
export function termKey(x: Pid | Ref): string {
  return x instanceof Pid
    ? `pid:${x.node}:${x.id}:${x.serial}:${x.creation}`
    : `ref:${x.node}:${x.creation}:${x.ids.join(".")}`;
}

/** `x` as an atom's text, or undefined when it is no atom. `true`/`false`/`nil` decode as JS values, so they count too. */
export function atomText(x: unknown): string | undefined {
  if (Atom.is(x)) return x.name;
  if (x === true || x === false) return String(x);
  if (x === null) return "nil";
  return undefined;
}

/**
 * A control tuple and its payload (`payload.length` 0 or 1) as one pass-through
 * frame. Throws the codec's CodecError, nothing sent, when either cannot be
 * encoded (NaN, a function, a cycle...).
 */
export function encodeDistMessage(control: Value, payload: unknown[]): Uint8Array {
  const c = encodeTerm(control, { root: "control" });
  const p = payload.length > 0 ? encodeTerm(payload[0], { root: "message" }) : undefined;
  const out = new Uint8Array(1 + c.length + (p?.length ?? 0));
  out[0] = PASS_THROUGH;
  out.set(c, 1);
  if (p) out.set(p, 1 + c.length);
  return out;
}

/**
 * One frame: its control tuple (an array whose first element is the
 * operation number) and the payload, `undefined` when there is none. Throws
 * Error when the frame is not the pass-through form or the control is no
 * tuple; CodecError from the term decoder.
 */
export function decodeDistMessage(bytes: Uint8Array, limits?: Limits): { control: Value[]; payload: unknown; hasPayload: boolean } {
  if (bytes[0] !== PASS_THROUGH) {
    throw new Error(`a frame that does not start with 'p' (${bytes[0]}); the atom cache was not negotiated`);
  }
  const c = decodeTermAt(bytes, 1, { limits });
  if (!(c.value instanceof Tuple) || c.value.length === 0 || typeof c.value[0] !== "number") {
    throw new Error("a control message that is not a tuple with an operation number");
  }
  if (c.end === bytes.length) return { control: [...c.value], payload: undefined, hasPayload: false };
  const p = decodeTermAt(bytes, c.end, { limits });
  if (p.end !== bytes.length) throw new Error(`${bytes.length - p.end} bytes after the message`);
  return { control: [...c.value], payload: p.value, hasPayload: true };
}

export { Atom, ImproperList, Pid, Ref, Tuple };
