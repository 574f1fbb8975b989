/**
 * `nodeup` / `nodedown` events, as Erlang's `net_kernel:monitor_nodes/1`
 * delivers them.
 *
 * @module
 */

export type NodeEvent =
  | { type: "nodeup"; node: string; hidden: boolean; time: number }
  | { type: "nodedown"; node: string; reason: string; time: number };

export type NodeEventType = NodeEvent["type"];
type Listener<E> = (event: E) => void;

/** A small typed emitter; a listener that throws does not stop the others. */
export class NodeEvents {
  #listeners = new Set<Listener<NodeEvent>>();

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
}
