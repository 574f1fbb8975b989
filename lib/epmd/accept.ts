/**
 * The mapper's side of one registration socket: check the peer and the
 * query, claim the name, confirm, and drop the name when the socket closes.
 *
 * @module
 */
import type { Fields, Logger } from "../core/log.ts";
import type { LogLimit } from "../core/log_limit.ts";
import { isPort } from "../core/name.ts";
import { clipUntrusted } from "../core/untrusted.ts";
import type { Transport } from "../runtime/types.ts";
import {
  CLOSE_CODES,
  type CloseCode,
  decodeMessage,
  encodeMessage,
  isLoopback,
  NAME_RULE,
  type NameEntry,
} from "./protocol.ts";
import { type Registry, TOKEN_RULE } from "./registry.ts";

export interface AcceptContext {
  registry: Registry;
  log: Logger;
  /** Open registration sockets, so that `stop()` can end them. */
  live: Set<Transport>;
  /** Refusals are logged at most this often per source address... */
  refusals: LogLimit;
  /** ...and this often from all of them (the key is "all"): 127/8 has many addresses. */
  allRefusals: LogLimit;
  /** Called after a name was claimed or released (the state file is rewritten). */
  changed(): void;
}

/**
 * Logs a refusal unless `remote`, or everyone, caused too many lately; the
 * next line that gets through says how many were left out (`suppressed` for
 * its source, `suppressed_all` for everyone). Every field a peer chose is
 * already clipped by the caller.
 */
export function logRefusal(
  ctx: Pick<AcceptContext, "log" | "refusals" | "allRefusals">,
  remote: string,
  fields: Fields,
): void {
  const suppressed = ctx.refusals.admit(remote);
  if (suppressed === undefined) return;
  const all = ctx.allRefusals.admit("all");
  if (all === undefined) return;
  ctx.log.warn("epmd_refused", {
    remote,
    ...fields,
    suppressed: suppressed || undefined,
    suppressed_all: all || undefined,
  });
}

type Checked = { kind: "ok"; entry: NameEntry } | { kind: "refused"; code: CloseCode; message: string };

/** Validates who registers and what; pure. */
export function checkRegistration(params: URLSearchParams, remoteAddress: string): Checked {
  if (!isLoopback(remoteAddress)) {
    return {
      kind: "refused",
      code: CLOSE_CODES.notLoopback,
      message: `only nodes on this host may register, and ${remoteAddress || "the peer"} is not a loopback address: ` +
        "run a port mapper on the node's own host, or name the node as name@host:port to skip the mapper",
    };
  }
  const name = params.get("name") ?? "";
  if (!NAME_RULE.test(name)) {
    return {
      kind: "refused",
      code: CLOSE_CODES.badRequest,
      message: `invalid name "${clipUntrusted(name, 80)}": give the part before @ of the node name, ` +
        'made of letters, digits, "_", "-" and "." (1-64 characters)',
    };
  }
  const portText = params.get("port") ?? "";
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || !isPort(port)) {
    return {
      kind: "refused",
      code: CLOSE_CODES.badRequest,
      message: `invalid port "${clipUntrusted(portText, 20)}" for name ${name}: give the node's listening port (1-65535)`,
    };
  }
  const entry: NameEntry = { name, port };
  const pid = Number(params.get("pid"));
  if (Number.isSafeInteger(pid) && pid > 0) entry.pid = pid;
  const runtime = params.get("runtime");
  if (runtime && /^[a-z]{1,16}$/.test(runtime)) entry.runtime = runtime;
  return { kind: "ok", entry };
}

/** The full message travels in the `refused` frame; the transport cuts the close reason to fit. */
function refuse(t: Transport, code: CloseCode, message: string): void {
  t.send(encodeMessage({ kind: "refused", code, message }));
  t.close(code, message);
}

// A socket that never asks to register is a stranger; it should not stay open. A node asks at once.
export const REGISTER_WITHIN_MS = 2000;

function tokenOf(m: { [key: string]: unknown } | undefined): string | undefined {
  return typeof m?.token === "string" && TOKEN_RULE.test(m.token) ? m.token : undefined;
}

/**
 * The handler for an accepted `/register` upgrade. The node speaks first
 * (`register`), so that nothing is sent before the socket is open on either
 * runtime. Refusals end the socket with a code from `CLOSE_CODES` after a
 * `refused` frame; never throws. `settled` runs when the socket has
 * registered, been refused or closed, possibly more than once (it gives back
 * the socket's place among those waiting, and must be idempotent).
 */
export function acceptRegistration(
  params: URLSearchParams,
  remoteAddress: string,
  ctx: AcceptContext,
  settled: () => void = () => {},
): (t: Transport) => void {
  const checked = checkRegistration(params, remoteAddress);
  return (t) => {
    let held: NameEntry | undefined;
    const drop = (why: string) => {
      if (held && ctx.registry.release(held)) {
        ctx.log.info("epmd_unregistered", { name: held.name, port: held.port, why });
        ctx.changed();
      }
    };
    const register = (token: string | undefined) => {
      settled();
      if (checked.kind === "refused") {
        logRefusal(ctx, remoteAddress, { reason: checked.message });
        return refuse(t, checked.code, checked.message);
      }
      const claim = ctx.registry.claim(checked.entry, token);
      if (claim.kind !== "ok") {
        const { name, port } = checked.entry;
        const message = claim.kind === "taken"
          ? `name ${name} is already registered by port ${claim.holder.port}: stop that node or pick another name`
          : `name ${name} is reserved for the node that held it before the port mapper restarted, ` +
            `for ${Math.ceil(claim.leftMs / 1000)} s more: try again then, or pick another name`;
        logRefusal(ctx, remoteAddress, { name, port, reason: message });
        return refuse(t, CLOSE_CODES.nameTaken, message);
      }
      held = claim.entry;
      ctx.changed();
      t.send(encodeMessage({ kind: "registered", name: held.name, port: held.port, token: claim.token }));
      ctx.log.info("epmd_registered", { name: held.name, port: held.port, pid: held.pid, runtime: held.runtime });
    };

    let asked = false;
    const silent = setTimeout(() => {
      settled();
      refuse(t, CLOSE_CODES.badRequest, `no register message within ${REGISTER_WITHIN_MS} ms`);
    }, REGISTER_WITHIN_MS);
    ctx.live.add(t);
    t.listen({
      message(data) {
        const m = decodeMessage(data);
        const kind = m?.kind;
        if (kind === "register" && !asked) {
          asked = true;
          clearTimeout(silent);
          register(tokenOf(m));
        } else if (kind === "unregister" && held) {
          drop("unregister");
          t.send(encodeMessage({ kind: "unregistered", name: held.name }));
          t.close(1000, "unregistered");
        }
      },
      close(code) {
        clearTimeout(silent);
        settled();
        ctx.live.delete(t);
        drop(`socket closed (${code})`);
      },
    });
  };
}
