/**
 * The mapper's side of one registration socket: check the peer and the
 * query, claim the name, confirm, and drop the name when the socket closes.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
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
import type { Registry } from "./registry.ts";

export interface AcceptContext {
  registry: Registry;
  log: Logger;
  /** Open registration sockets, so that `stop()` can end them. */
  live: Set<Transport>;
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
      message: `invalid name "${name}": give the part before @ of the node name, ` +
        'made of letters, digits, "_", "-" and "." (1-64 characters)',
    };
  }
  const portText = params.get("port") ?? "";
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    return {
      kind: "refused",
      code: CLOSE_CODES.badRequest,
      message: `invalid port "${portText}" for name ${name}: give the node's listening port (1-65535)`,
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

// A socket that never asks to register is a stranger; it should not stay open.
const REGISTER_WITHIN_MS = 5000;

/**
 * The handler for an accepted `/register` upgrade. The node speaks first
 * (`register`), so that nothing is sent before the socket is open on either
 * runtime. Refusals end the socket with a code from `CLOSE_CODES` after a
 * `refused` frame; never throws.
 */
export function acceptRegistration(
  params: URLSearchParams,
  remoteAddress: string,
  ctx: AcceptContext,
): (t: Transport) => void {
  const checked = checkRegistration(params, remoteAddress);
  return (t) => {
    let held: NameEntry | undefined;
    const drop = (why: string) => {
      if (held && ctx.registry.release(held)) {
        ctx.log.info("epmd_unregistered", { name: held.name, port: held.port, why });
      }
    };
    const register = () => {
      if (checked.kind === "refused") {
        ctx.log.warn("epmd_refused", { remote: remoteAddress, reason: checked.message });
        return refuse(t, checked.code, checked.message);
      }
      const claim = ctx.registry.claim(checked.entry);
      if (claim.kind === "taken") {
        const { name, port } = checked.entry;
        const message =
          `name ${name} is already registered by port ${claim.holder.port}: stop that node or pick another name`;
        ctx.log.warn("epmd_refused", { name, port, reason: message });
        return refuse(t, CLOSE_CODES.nameTaken, message);
      }
      held = claim.entry;
      t.send(encodeMessage({ kind: "registered", name: held.name, port: held.port }));
      ctx.log.info("epmd_registered", { name: held.name, port: held.port, pid: held.pid, runtime: held.runtime });
    };

    let asked = false;
    const silent = setTimeout(
      () => refuse(t, CLOSE_CODES.badRequest, `no register message within ${REGISTER_WITHIN_MS} ms`),
      REGISTER_WITHIN_MS,
    );
    ctx.live.add(t);
    t.listen({
      message(data) {
        const kind = decodeMessage(data)?.kind;
        if (kind === "register" && !asked) {
          asked = true;
          clearTimeout(silent);
          register();
        } else if (kind === "unregister" && held) {
          drop("unregister");
          t.send(encodeMessage({ kind: "unregistered", name: held.name }));
          t.close(1000, "unregistered");
        }
      },
      close(code) {
        clearTimeout(silent);
        ctx.live.delete(t);
        drop(`socket closed (${code})`);
      },
    });
  };
}
