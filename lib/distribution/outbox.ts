/**
 * A link's writes, batched: frames queued during one burst of work go out a
 * microtask later in as few messages as fit under the peer's message limit
 * (batch frames when there are several), so that under load one write
 * carries many replies instead of one write each.
 *
 * @module
 */
import { packMessages } from "./batch.ts";

export class Outbox {
  #queue: Uint8Array[] = [];
  #send: (message: Uint8Array) => void;
  #failed: (err: unknown) => void;
  #maxMessageBytes: number;

  /**
   * `send` writes one message and may throw; `failed` is told when it does.
   * No message is larger than `maxMessageBytes`, as long as no single frame
   * is (the link checks each frame before queueing it).
   */
  constructor(send: (message: Uint8Array) => void, failed: (err: unknown) => void, maxMessageBytes: number) {
    this.#send = send;
    this.#failed = failed;
    this.#maxMessageBytes = maxMessageBytes;
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
      for (const message of packMessages(frames, this.#maxMessageBytes)) this.#send(message);
    } catch (err) {
      this.#failed(err);
    }
  }
}
