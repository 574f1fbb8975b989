/**
 * Two `Transport`s joined in memory, for protocol tests: what one side sends
 * the other receives, in order, on a later microtask (as a socket would
 * deliver it later), and every message of both directions is recorded.
 *
 * @module
 */
import { closeReason } from "../../lib/core/websocket.ts";
import { Inbox } from "../../lib/runtime/websocket.ts";
import type { Transport } from "../../lib/runtime/types.ts";

export type Side = "a" | "b";
export type Recorded = { from: Side; bytes: Uint8Array };

export interface MemoryTransport extends Transport {
  readonly closed: boolean;
  /** How this side was closed, if it was. */
  readonly closedWith: { code: number; reason: string } | undefined;
}

export interface MemoryPair {
  a: MemoryTransport;
  b: MemoryTransport;
  /** Every message sent, by either side, in sending order. */
  log: Recorded[];
}

/** A connected pair; closing either side closes both (the other after its in-flight messages). */
export function memoryPair(): MemoryPair {
  const log: Recorded[] = [];
  const inboxes = { a: new Inbox(), b: new Inbox() };
  const closedWith: Record<Side, { code: number; reason: string } | undefined> = { a: undefined, b: undefined };

  const side = (me: Side): MemoryTransport => {
    const other: Side = me === "a" ? "b" : "a";
    return {
      remoteAddress: "127.0.0.1",
      bufferedAmount: 0,
      send(data) {
        if (inboxes[me].closed) return;
        const copy = data.slice();
        log.push({ from: me, bytes: copy });
        queueMicrotask(() => inboxes[other].message(copy));
      },
      close(code = 1000, fullReason = "") {
        if (inboxes[me].closed) return;
        // As a real WebSocket would: the reason must fit the close frame.
        const reason = closeReason(fullReason);
        closedWith[me] = { code, reason };
        inboxes[me].close(code, reason);
        queueMicrotask(() => inboxes[other].close(code, reason));
      },
      listen: (h) => inboxes[me].listen(h),
      get closed() {
        return inboxes[me].closed;
      },
      get closedWith() {
        return closedWith[me];
      },
    };
  };
  return { a: side("a"), b: side("b"), log };
}

/**
 * A mesh's `dial` over memory pairs: the address (`name@host:port`) names an
 * acceptor in `world`, which gets one end; the dialer gets the other.
 * Rejects when no acceptor has that name.
 */
export function worldDialer(world: Map<string, { accept(t: Transport): void }>): (address: string) => Promise<Transport> {
  return (address) => {
    const target = world.get(address.replace(/:\d+$/, ""));
    if (!target) return Promise.reject(new Error(`no node ${address}`));
    const { a, b } = memoryPair();
    target.accept(b);
    return Promise.resolve(a);
  };
}

/** Lets every queued microtask and due zero-delay timer run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
