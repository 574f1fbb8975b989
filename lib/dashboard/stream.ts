/**
 * The live updates of a page: server-sent events carrying HTML fragments
 * (`{id, html}`, swapped in by the page's script), rendered again every
 * couple of seconds and at once when a node comes up or goes down. A
 * stream ends within one interval of its session ending or its node stopping.
 *
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

/** A part of the page to replace: the element with this id gets this HTML. */
export interface Fragment {
  id: string;
  html: string;
}

export interface LiveOptions {
  render(): Promise<Fragment[]>;
  /** Calls `wake` on every change worth showing at once; returns the unsubscribe function. */
  subscribe(wake: () => void): () => void;
  /**
   * "signedout" once the session ended (the page is told, and goes to the
   * sign-in), "stopping" once the node is stopping (the stream just ends; the
   * page shows it reconnecting).
   */
  state(): Promise<"live" | "signedout" | "stopping">;
  intervalMs: number;
}

export const LIVE_INTERVAL_MS = 2000;

/** The SSE response; it ends when the browser goes away or `alive()` turns false. */
export function liveStream(c: Context, o: LiveOptions): Response {
  return streamSSE(c, async (stream) => {
    let wake: () => void = () => {};
    let changed = false;
    const off = o.subscribe(() => {
      changed = true;
      wake();
    });
    stream.onAbort(() => wake());
    try {
      while (!stream.aborted && !stream.closed) {
        const state = await o.state();
        if (state === "signedout") await stream.writeSSE({ event: "signedout", data: "" });
        if (state !== "live") return;
        changed = false;
        for (const f of await o.render()) {
          await stream.writeSSE({ event: "fragment", data: JSON.stringify(f) });
        }
        if (changed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = () => {};
      }
    } finally {
      off();
    }
  });
}
