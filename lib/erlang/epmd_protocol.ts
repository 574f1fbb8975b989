/**
 * The bytes of the port mapper protocol (erlang/otp
 * erts/doc/guides/erl_dist_protocol.md, "EPMD Protocol"), without I/O.
 * Requests carry a 2-byte length prefix; responses do not.
 *
 * @module
 */

export const EPMD = {
  ALIVE2_REQ: 120,
  ALIVE2_X_RESP: 118,
  ALIVE2_RESP: 121,
  PORT_PLEASE2_REQ: 122,
  PORT2_RESP: 119,
  NAMES_REQ: 110,
} as const;

/** NodeType of ALIVE2_REQ and PORT2_RESP. */
export const NODE_TYPE = { normal: 77, hidden: 72 } as const;

/** The longest node name (the part before `@`) epmd keeps, in bytes. */
export const MAX_NAME_BYTES = 255;

const text = new TextEncoder();
const untext = new TextDecoder();

/** What ALIVE2_REQ and PORT2_RESP say about a node. */
export type NodeInfo = {
  name: string;
  port: number;
  type: "normal" | "hidden";
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  extra: Uint8Array;
};

/** `payload` with its 2-byte length prefix. */
export function request(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + payload.length);
  new DataView(out.buffer).setUint16(0, payload.length);
  out.set(payload, 2);
  return out;
}

/** The body shared by ALIVE2_REQ and PORT2_RESP: port, type, protocol, versions, name, extra. */
function nodeBody(info: NodeInfo): Uint8Array {
  const name = text.encode(info.name);
  const out = new Uint8Array(12 + name.length + info.extra.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, info.port);
  out[2] = NODE_TYPE[info.type];
  out[3] = info.protocol;
  v.setUint16(4, info.highestVersion);
  v.setUint16(6, info.lowestVersion);
  v.setUint16(8, name.length);
  out.set(name, 10);
  v.setUint16(10 + name.length, info.extra.length);
  out.set(info.extra, 12 + name.length);
  return out;
}

/** Reads `nodeBody`; undefined when the bytes do not hold one exactly. */
function readNodeBody(b: Uint8Array): NodeInfo | undefined {
  if (b.length < 12) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nlen = v.getUint16(8);
  if (b.length < 12 + nlen) return undefined;
  const elen = v.getUint16(10 + nlen);
  if (b.length !== 12 + nlen + elen) return undefined;
  const type = b[2] === NODE_TYPE.hidden ? "hidden" : b[2] === NODE_TYPE.normal ? "normal" : undefined;
  if (!type) return undefined;
  return {
    port: v.getUint16(0),
    type,
    protocol: b[3],
    highestVersion: v.getUint16(4),
    lowestVersion: v.getUint16(6),
    name: untext.decode(b.subarray(10, 10 + nlen)),
    extra: b.slice(12 + nlen),
  };
}

/** ALIVE2_REQ, length prefix included. */
export function alive2Request(info: NodeInfo): Uint8Array {
  return request(new Uint8Array([EPMD.ALIVE2_REQ, ...nodeBody(info)]));
}

/** The body of an ALIVE2_REQ (after its tag); undefined when malformed. */
export function readAlive2Request(body: Uint8Array): NodeInfo | undefined {
  return readNodeBody(body);
}

/** ALIVE2_X_RESP: result 0 and the creation, or result 1 (name taken). */
export function alive2Response(ok: boolean, creation: number): Uint8Array {
  const out = new Uint8Array(6);
  out[0] = EPMD.ALIVE2_X_RESP;
  out[1] = ok ? 0 : 1;
  new DataView(out.buffer).setUint32(2, ok ? creation : 0);
  return out;
}

/** PORT_PLEASE2_REQ for `name`, length prefix included. */
export function portPleaseRequest(name: string): Uint8Array {
  return request(new Uint8Array([EPMD.PORT_PLEASE2_REQ, ...text.encode(name)]));
}

/** PORT2_RESP: the node's entry, or result 1 when there is none. */
export function portResponse(info: NodeInfo | undefined): Uint8Array {
  if (!info) return new Uint8Array([EPMD.PORT2_RESP, 1]);
  return new Uint8Array([EPMD.PORT2_RESP, 0, ...nodeBody(info)]);
}

/** The entry of a PORT2_RESP after its tag and result 0; undefined when malformed. */
export function readPortResponse(body: Uint8Array): NodeInfo | undefined {
  return readNodeBody(body);
}

/** NAMES_REQ, length prefix included. */
export function namesRequest(): Uint8Array {
  return request(new Uint8Array([EPMD.NAMES_REQ]));
}

/** The NAMES_REQ answer: epmd's port, then a line per name. */
export function namesResponse(epmdPort: number, names: { name: string; port: number }[]): Uint8Array {
  const lines = text.encode(names.map((n) => `name ${n.name} at port ${n.port}\n`).join(""));
  const out = new Uint8Array(4 + lines.length);
  new DataView(out.buffer).setUint32(0, epmdPort);
  out.set(lines, 4);
  return out;
}

/** The names of a NAMES_REQ answer (after its 4-byte port); lines that do not parse are skipped. */
export function readNames(lines: Uint8Array): { name: string; port: number }[] {
  const out: { name: string; port: number }[] = [];
  for (const line of untext.decode(lines).split("\n")) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) out.push({ name: m[1], port: Number(m[2]) });
  }
  return out;
}
