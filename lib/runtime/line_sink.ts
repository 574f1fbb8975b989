/**
 * Log lines to stderr that never block the node: a synchronous write to a
 * pipe or socket whose reader stopped reading waits in the kernel for ever,
 * and with it every timer, signal handler and connection of the process.
 * Lines are queued and written one chunk at a time by an asynchronous write;
 * the queue is bounded, so a reader that never comes back costs at most
 * `limit` bytes.
 *
 * @module
 */

const encoder = new TextEncoder();

export class LineSink {
  #write: (data: Uint8Array) => Promise<number>;
  #limit: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #pumping = false;
  #idle: (() => void)[] = [];

  /** `write` writes some bytes (not necessarily all) and resolves with how many; it may reject. */
  constructor(write: (data: Uint8Array) => Promise<number>, limit = 1 << 20) {
    this.#write = write;
    this.#limit = limit;
  }

  /**
   * Queues `text` and a newline. Throws a RangeError when `limit` bytes wait
   * already: the line is dropped (a logger counts it and goes on).
   */
  line(text: string): void {
    const data = encoder.encode(text + "\n");
    if (this.#queued + data.length > this.#limit) {
      throw new RangeError(`stderr is not being read: ${this.#queued} bytes of log lines wait; line dropped`);
    }
    this.#queue.push(data);
    this.#queued += data.length;
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      let n: number;
      try {
        n = await this.#write(head);
      } catch {
        // EPIPE, disk full: this chunk is lost, the next one may get through.
        n = head.length;
      }
      // A write that makes no progress would spin: give that chunk up too.
      if (!(n > 0)) n = head.length;
      if (n >= head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(n);
      this.#queued -= Math.min(n, head.length);
    }
    this.#pumping = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Resolves once every queued line is written, or after `ms`, whichever comes first. Never rejects. */
  flush(ms: number): Promise<void> {
    if (!this.#pumping) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      new Promise<void>((resolve) => this.#idle.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]).finally(() => clearTimeout(timer));
  }
}
