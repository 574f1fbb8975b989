/**
 * A link's writes, batched: frames queued during one burst of work go out a
 * microtask later in as few messages as fit on the wire (batch frames when
 * there are several), so that under load one write carries many replies
 * instead of one write each; a frame too large for one message goes as
 * fragments.
 *
 * @module
 */
import { packMessages } from "./batch.ts";
import { fragment, WIRE_MESSAGE_MAX } from "./fragments.ts";

export class Outbox {
  #queue: Uint8Array[] = [];
  #send: (message: Uint8Array) => void;
  #failed: (err: unknown) => void;

  /** `send` writes one message and may throw; `failed` is told when it does. */
  constructor(send: (message: Uint8Array) => void, failed: (err: unknown) => void) {
    this.#send = send;
    this.#failed = failed;
  }

  /** Queues one encoded frame. */
  push(frame: Uint8Array): void {
    this.#queue.push(frame);
    if (this.#queue.length === 1) queueMicrotask(() => this.flush());
  }

  /** Sends what is queued now, in order; never throws. */
  flush(): void {
    const frames = this.#queue;
    if (frames.length === 0) return;
    this.#queue = [];
    try {
      for (const message of packMessages(frames, WIRE_MESSAGE_MAX)) {
        for (const part of fragment(message)) this.#send(part);
      }
    } catch (err) {
      this.#failed(err);
    }
  }
}
