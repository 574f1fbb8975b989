/**
 * `nodeup` / `nodedown` events, as Erlang's `net_kernel:monitor_nodes/1`
 * delivers them: to listeners, or as an async iterator.
 *
 * @module
 */

/** A peer came up or went down (with why), at `time` (ms since the epoch). */
export type NodeEvent =
  | { type: "nodeup"; node: string; hidden: boolean; time: number }
  | { type: "nodedown"; node: string; reason: string; time: number };

/** `nodeup` or `nodedown`. */
export type NodeEventType = NodeEvent["type"];
type Listener<E> = (event: E) => void;

/** The options of an event iterator. */
export interface EventsOptions {
  /** Ends the iteration at once (events not yet taken are dropped). */
  signal?: AbortSignal;
  /**
   * How many events wait for a slow consumer; past that the oldest is
   * dropped, so memory stays bounded. Default 1000.
   */
  buffer?: number;
}

export const DEFAULT_EVENT_BUFFER = 1000;

/** A small typed emitter; a listener that throws does not stop the others. */
export class NodeEvents {
  #listeners = new Set<Listener<NodeEvent>>();
  #ends = new Set<() => void>();
  #closed = false;

  /** Subscribes to one type (or every event with "*"); returns the unsubscribe function. */
  on<T extends NodeEventType | "*">(
    type: T,
    listener: Listener<T extends NodeEventType ? Extract<NodeEvent, { type: T }> : NodeEvent>,
  ): () => void {
    const wrapped: Listener<NodeEvent> = (e) => {
      if (type === "*" || e.type === type) (listener as Listener<NodeEvent>)(e);
    };
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  emit(event: NodeEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch {
        // A faulty subscriber must not break link bookkeeping.
      }
    }
  }

  /** Ends every iterator once it has handed out what it holds (the node stopped); later ones end at once. */
  close(): void {
    this.#closed = true;
    for (const end of [...this.#ends]) end();
  }

  /**
   * Every event from now on, in order, until `close()` (after the events
   * already buffered) or until `options.signal` aborts or the loop breaks
   * (at once). Throws RangeError for a buffer that is not a positive integer.
   */
  iterate(options: EventsOptions = {}): AsyncIterableIterator<NodeEvent> {
    const { signal, buffer: max = DEFAULT_EVENT_BUFFER } = options;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`The event buffer must be a positive integer, not ${max}`);
    }
    const queue: NodeEvent[] = [];
    let waiting: (() => void)[] = [];
    let ended = false;
    const wake = () => {
      for (const w of waiting) w();
      waiting = [];
    };
    const off = this.on("*", (e) => {
      if (queue.length >= max) queue.shift();
      queue.push(e);
      wake();
    });
    const end = (drop: boolean) => {
      ended = true;
      if (drop) queue.length = 0;
      off();
      this.#ends.delete(onClose);
      signal?.removeEventListener("abort", onAbort);
      wake();
    };
    const onClose = () => end(false);
    const onAbort = () => end(true);
    if (this.#closed || signal?.aborted) end(true);
    else {
      this.#ends.add(onClose);
      signal?.addEventListener("abort", onAbort, { once: true });
    }
    const finished = (): IteratorResult<NodeEvent> => ({ value: undefined, done: true });
    return {
      async next() {
        while (queue.length === 0 && !ended) await new Promise<void>((r) => waiting.push(r));
        return queue.length > 0 ? { value: queue.shift()!, done: false } : finished();
      },
      return() {
        end(true);
        return Promise.resolve(finished());
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
