/**
 * A registration that survives epmd restarts: when epmd drops it, register
 * again until it takes, as OTP does (erlang/otp PR #3003). The node keeps the
 * creation of its first registration for its pids, refs and handshakes.
 *
 * @module
 */
import { sleep } from "../core/sleep.ts";
import type { TcpNet } from "../runtime/tcp_types.ts";
import { type EpmdAddress, registerNode, type RegisterOptions, type Registration } from "./epmd.ts";

export type HoldOptions = RegisterOptions & {
  /** Wait between attempts to register again (ms); default 1000. */
  retryEveryMs?: number;
  /** Told when the registration is lost and when it is back (for the log). */
  onChange?: (event: { kind: "lost" } | { kind: "restored"; creation: number } | { kind: "retry"; error: Error }) => void;
};

export interface HeldRegistration {
  /** The creation of the first registration: the one this node uses. */
  readonly creation: number;
  /** True while epmd holds the name. */
  readonly registered: boolean;
  /** Unregisters and stops re-registering. */
  close(): void;
}

/**
 * Registers like `registerNode` and keeps the name registered until
 * `close()`.
 *
 * Rejects as `registerNode` does when the first registration fails; later
 * failures are retried and reported through `onChange`.
 */
export async function holdRegistration(net: TcpNet, epmd: EpmdAddress, options: HoldOptions): Promise<HeldRegistration> {
  let current: Registration | undefined = await registerNode(net, epmd, options);
  const creation = current.creation;
  let closed = false;
  const stop = new AbortController();

  const watch = async (reg: Registration): Promise<void> => {
    await reg.lost;
    if (closed) return;
    current = undefined;
    options.onChange?.({ kind: "lost" });
    while (!closed) {
      try {
        await sleep(options.retryEveryMs ?? 1000, stop.signal);
        const next = await registerNode(net, epmd, options);
        if (closed) return next.close();
        current = next;
        options.onChange?.({ kind: "restored", creation: next.creation });
        return watch(next);
      } catch (err) {
        if (closed) return;
        options.onChange?.({ kind: "retry", error: err as Error });
      }
    }
  };
  void watch(current);

  return {
    creation,
    get registered() {
      return current !== undefined;
    },
    close() {
      closed = true;
      stop.abort();
      current?.close();
      current = undefined;
    },
  };
}
