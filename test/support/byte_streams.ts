/**
 * Two connected in-memory byte streams, for the Erlang protocol's unit
 * tests: bytes are delivered on a later microtask, in chunks of `chunk`.
 */
import type { ByteStream } from "../../lib/erlang/packets.ts";

type Handlers = { data(c: Uint8Array): void; close(e?: Error): void };

/** Two connected in-memory byte streams; bytes are delivered on a later microtask, in chunks of `chunk`. */
export function streamPair(chunk = Infinity): [ByteStream, ByteStream] {
  const make = (): ByteStream & { peer?: ByteStream & { h?: Handlers; early: Uint8Array[] }; h?: Handlers; early: Uint8Array[] } => ({
    remoteAddress: "127.0.0.1",
    early: [],
    write(data: Uint8Array) {
      const p = this.peer!;
      for (let i = 0; i < data.length; i += Math.min(chunk, data.length)) {
        const part = data.slice(i, Math.min(data.length, i + chunk));
        queueMicrotask(() => (p.h ? p.h.data(part) : p.early.push(part)));
      }
      if (data.length === 0) return;
    },
    close() {
      const p = this.peer!;
      queueMicrotask(() => {
        p.h?.close();
        this.h?.close();
      });
    },
    listen(h: Handlers) {
      this.h = h;
      for (const c of this.early.splice(0)) h.data(c);
    },
  });
  const a = make(), b = make();
  a.peer = b as never;
  b.peer = a as never;
  return [a, b];
}

