/**
 * Pids and references of this node, as Erlang would make them: every pid a
 * fresh one (each call runs as its own process), every reference unique for
 * this run, both carrying the creation epmd assigned (never 0: a peer
 * would take them for an earlier run's).
 *
 * @module
 */
import { Pid, Ref, termKey } from "./wire_terms.ts";

/** Erlang's pid numbers are 15 bits and serials 13 (`ERTS_MAX_PID_NUMBER`). */
const PID_NUMBERS = 1 << 15;
const PID_SERIALS = 1 << 13;

export class LocalIds {
  readonly node: string;
  readonly creation: number;
  #next = 1;
  #serial = 0;
  #ref = [0, 0, 0];
  #permanent = new Set<string>();

  constructor(node: string, creation: number) {
    this.node = node;
    this.creation = creation;
    // Random high words: references of two runs with the same creation still differ.
    const r = crypto.getRandomValues(new Uint32Array(2));
    this.#ref = [0, r[0], r[1]];
  }

  /** A pid no other process of this node has now. */
  pid(): Pid {
    const pid = new Pid(this.node, this.#next, this.#serial, this.creation);
    if (++this.#next === PID_NUMBERS) {
      this.#next = 1;
      this.#serial = (this.#serial + 1) % PID_SERIALS;
    }
    return pid;
  }

  /** A pid that lives as long as the node (a group leader): monitors on it stay quiet. */
  permanentPid(): Pid {
    const pid = this.pid();
    this.#permanent.add(termKey(pid));
    return pid;
  }

  /** True for a pid from `permanentPid`. */
  isPermanent(pid: Pid): boolean {
    return this.#permanent.has(termKey(pid));
  }

  /** A reference unique for this run of the node. */
  ref(): Ref {
    const r = this.#ref;
    // The first word has 18 bits; carry into the others.
    r[0] = (r[0] + 1) & 0x3ffff;
    if (r[0] === 0) r[1] = (r[1] + 1) >>> 0;
    return new Ref(this.node, this.creation, [...r]);
  }
}
