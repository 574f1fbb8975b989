/**
 * How many calls are in flight through a node, served or made, so that a
 * graceful stop can wait until none is (SIGTERM drains them).
 *
 * @module
 */
export class InFlight {
  #count = 0;
  #idle: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  begin(): void {
    this.#count++;
  }

  end(): void {
    // A macrotask later: the callers' continuations (a link sending the reply, HTTP answering) run first.
    if (--this.#count === 0 && this.#idle.length > 0) for (const r of this.#idle.splice(0)) setTimeout(r, 0);
  }

  /** Resolves when no call is in flight. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((r) => this.#idle.push(r));
  }
}
