/**
 * A link's writes, batched: frames queued during one burst of work go out a
 * microtask later in as few messages as fit on the wire (batch frames when
 * there are several), so that under load one write carries many replies
 * instead of one write each; a frame too large for one message goes as
 * fragments. After such a write, what is queued in the same turn of the
 * event loop waits for its end and goes in one more write: a loop of casts
 * that never waits would otherwise make one write (a system call) per cast.
 * When the peer reads slower than this node writes, `writable()` makes
 * senders wait (`backpressure.ts`).
 *
 * @module
 */
import type { Transport } from "../runtime/types.ts";
import { Backpressure } from "./backpressure.ts";
import { byteLength } from "../core/bytes.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import { packMessages } from "./batch.ts";
import type { Clock } from "./clock.ts";
import { encodeFrame } from "./frame_codec.ts";
import { sendFragmented, WIRE_MESSAGE_MAX } from "./fragments.ts";

export class Outbox {
  // An item is one frame, or the parts of one that holds a large byte string (sent alone, or as fragments).
  #queue: (Uint8Array | Uint8Array[])[] = [];
  #queuedBytes = 0;
  #transport: Transport;
  #clock: Clock;
  #failed: (err: unknown) => void;
  #backpressure: Backpressure;
  // A flush ran in this turn: what is queued now waits for the turn's end.
  #coalescing = false;
  // Made once per link, not once per flush: the hot path allocates no closures.
  #send = (frame: Uint8Array) => this.#transport.send(frame);
  #flushNow = () => {
    this.flush();
    this.#coalescing = true;
    this.#clock.soon(this.#turnEnded);
  };
  #turnEnded = () => {
    this.#coalescing = false;
    this.flush();
  };

  /** Writes to `transport`; `failed` is told when a send throws. */
  constructor(transport: Transport, clock: Clock, failed: (err: unknown) => void) {
    this.#transport = transport;
    this.#clock = clock;
    this.#failed = failed;
    this.#backpressure = new Backpressure(clock, () => this.#queuedBytes + transport.bufferedAmount);
  }

  /** Undefined when a sender may go on; else a promise that resolves when the backlog is small again. */
  writable(): Promise<void> | undefined {
    return this.#backpressure.wait();
  }

  /**
   * Closes the transport with `code` and `reason`, after what is queued and,
   * when `sayBye`, a `bye` frame carrying the reason; waiting senders go on.
   */
  close(code: number, reason: string, sayBye: boolean): void {
    if (sayBye) {
      this.flush();
      try {
        this.#transport.send(encodeFrame({ type: "bye", reason: clipUntrusted(reason, 1000) }));
      } catch {
        // Best effort: the peer learns from the close instead.
      }
    }
    try {
      // The transport cuts the reason to fit a close frame; `bye` carried more of it.
      this.#transport.close(code, reason);
    } catch {
      // Already closed.
    }
    this.#backpressure.release();
  }

  /**
   * Queues one encoded frame, given as its parts (`encodeFrameParts`), whose
   * bytes must not change until they are sent.
   */
  push(parts: Uint8Array[]): void {
    const size = byteLength(parts);
    this.#queuedBytes += size;
    this.#queue.push(parts.length === 1 ? parts[0] : parts);
    // A flush is due already when the queue held something.
    if (this.#queue.length > 1) return;
    if (!this.#coalescing) queueMicrotask(this.#flushNow);
  }

  /** Sends what is queued now, in order; never throws. */
  flush(): void {
    const frames = this.#queue;
    if (frames.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    try {
      for (const message of packMessages(frames, WIRE_MESSAGE_MAX)) sendFragmented(message, this.#send);
    } catch (err) {
      this.#failed(err);
    }
  }
}
