/**
 * One Erlang distribution connection at the packet level: `recv` with a time
 * limit while the handshake runs (2-byte lengths, at most
 * `HANDSHAKE_PACKET_MAX` bytes: nothing unauthenticated is buffered beyond
 * that), then `upgrade` to 4-byte lengths, every packet handed to the
 * connection as it completes.
 *
 * @module
 */
import { type ByteStream, type Clock, type Ended, framed, PacketReader, PacketTooLarge } from "./packets.ts";

/** A handshake message is a name and a few numbers: well under 1 KiB. */
export const HANDSHAKE_PACKET_MAX = 1024;

/** What a receive gives during the handshake. */
export type Received = { kind: "packet"; data: Uint8Array } | Ended | { kind: "timeout"; timeoutMs: number };

/** What the connection is handed after the handshake. */
export interface PacketHandlers {
  packet(data: Uint8Array): void;
  end(why: Ended): void;
}

export class ErlSocket {
  readonly remoteAddress: string;
  #stream: ByteStream;
  #clock: Clock;
  #reader = new PacketReader(HANDSHAKE_PACKET_MAX);
  #ended?: Ended;
  #waiter?: (r: Received) => void;
  #handlers?: PacketHandlers;
  #queue: Uint8Array[] = [];
  #queued = 0;

  constructor(stream: ByteStream, clock: Clock) {
    this.#stream = stream;
    this.#clock = clock;
    this.remoteAddress = stream.remoteAddress;
    stream.listen({
      data: (chunk) => {
        this.#reader.push(chunk);
        this.#pump();
      },
      close: (error) => this.#end({ kind: "closed", message: error ? error.message : "the connection closed" }),
    });
  }

  /**
   * Sends one packet with the current length prefix; a no-op once ended.
   * Packets sent in one turn of the event loop leave in one write, as Erlang
   * batches its socket writes: a burst of replies is one system call.
   */
  send(payload: Uint8Array): void {
    if (this.#ended) return;
    this.#queue.push(framed(payload, this.#reader.headerBytes));
    this.#queued += payload.length + this.#reader.headerBytes;
    if (this.#queue.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const queue = this.#queue.splice(0);
    const size = this.#queued;
    this.#queued = 0;
    if (this.#ended || queue.length === 0) return;
    if (queue.length === 1) return void this.#stream.write(queue[0]);
    const out = new Uint8Array(size);
    let at = 0;
    for (const q of queue) {
      out.set(q, at);
      at += q.length;
    }
    this.#stream.write(out);
  }

  /** Closes the connection; pending receives and the handlers learn why once. */
  close(message = "closed by this node"): void {
    // What was sent before the close (a refusal's status) still leaves.
    this.#flush();
    this.#end({ kind: "closed", message });
    this.#stream.close();
  }

  /**
   * The next handshake packet, or why there is none. Rejects with a
   * TypeError when another receive waits, or after `upgrade`.
   */
  recv(timeoutMs: number): Promise<Received> {
    if (this.#waiter || this.#handlers) return Promise.reject(new TypeError("Only one receive may wait, before upgrade"));
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiter = undefined;
        resolve({ kind: "timeout", timeoutMs });
      }, timeoutMs);
      this.#waiter = (r) => {
        this.#clock.clearTimeout(timer);
        this.#waiter = undefined;
        resolve(r);
      };
      this.#pump();
    });
  }

  /** Switches to 4-byte lengths (packets up to `max`) and hands every packet to `handlers`, from those already here on. */
  upgrade(max: number, handlers: PacketHandlers): void {
    this.#reader.headerBytes = 4;
    this.#reader.max = max;
    this.#handlers = handlers;
    this.#pump();
  }

  #pump(): void {
    while (!this.#ended && (this.#waiter || this.#handlers)) {
      let packet: Uint8Array | undefined;
      try {
        packet = this.#reader.next();
      } catch (err) {
        if (!(err instanceof PacketTooLarge)) throw err;
        this.#end({ kind: "too_large", length: err.length, max: err.max });
        this.#stream.close();
        return;
      }
      if (!packet) return;
      if (this.#waiter) this.#waiter({ kind: "packet", data: packet });
      else this.#handlers!.packet(packet);
    }
    if (this.#ended) this.#waiter?.(this.#ended);
  }

  #end(why: Ended): void {
    if (this.#ended) return;
    this.#ended = why;
    this.#waiter?.(why);
    this.#handlers?.end(why);
  }
}
