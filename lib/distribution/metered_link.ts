/**
 * A link whose bytes are counted, for the dashboard: what went each way,
 * since when, and when the peer was last heard. The counting sits on the
 * transport the link is handed, so the link itself does not change.
 *
 * @module
 */
import type { Transport } from "../runtime/types.ts";
import { Link, type LinkOptions } from "./link.ts";

/** A link's traffic so far; times in ms since the epoch. */
export class Traffic {
  readonly upSince: number = Date.now();
  bytesIn = 0;
  bytesOut = 0;
  lastHeard: number = Date.now();
}

/** `transport`, with what it sends and receives counted into `traffic`. */
export function countedTransport(transport: Transport, traffic: Traffic): Transport {
  return {
    get remoteAddress() {
      return transport.remoteAddress;
    },
    get bufferedAmount() {
      return transport.bufferedAmount;
    },
    send(data) {
      traffic.bytesOut += data.length;
      transport.send(data);
    },
    close(code, reason) {
      transport.close(code, reason);
    },
    listen(handlers) {
      transport.listen({
        message(data) {
          traffic.bytesIn += data.length;
          traffic.lastHeard = Date.now();
          handlers.message(data);
        },
        close: handlers.close,
      });
    },
  };
}

/** A Link (see there for how it fails) that counts its traffic. */
export class MeteredLink extends Link {
  readonly traffic: Traffic;

  constructor(transport: Transport, options: LinkOptions) {
    const traffic = new Traffic();
    super(countedTransport(transport, traffic), options);
    this.traffic = traffic;
  }
}
