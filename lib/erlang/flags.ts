/**
 * Erlang's distribution capability flags (erlang/otp:erts/emulator/beam/dist.h):
 * what this node advertises and what it requires of a peer. Flags are
 * 64-bit, so they are bigints here.
 *
 * @module
 */

export const DFLAG = {
  PUBLISHED: 0x1n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 1n << 32n,
  NAME_ME: 1n << 33n,
  V4_NC: 1n << 34n,
  ALIAS: 1n << 35n,
} as const;

/**
 * What this node advertises (`0x5074F5FBD` with PUBLISHED): OTP 25–28's
 * mandatory sets, SPAWN for erpc, and neither DIST_HDR_ATOM_CACHE nor
 * FRAGMENTS, so that every message is the pass-through form. Not ALIAS
 * (replies to aliases are not handled) nor NAME_ME.
 */
export function ourFlags(hidden: boolean): bigint {
  const all = 0x5074F5FBDn;
  return hidden ? all & ~DFLAG.PUBLISHED : all;
}

/** What a peer must have: OTP 25's mandatory set, which every OTP since 23 sends (ERLANG_DIST.md §2). */
const REQUIRED: [string, bigint][] = [
  ["EXTENDED_REFERENCES", DFLAG.EXTENDED_REFERENCES],
  ["FUN_TAGS", DFLAG.FUN_TAGS],
  ["NEW_FUN_TAGS", DFLAG.NEW_FUN_TAGS],
  ["EXTENDED_PIDS_PORTS", DFLAG.EXTENDED_PIDS_PORTS],
  ["EXPORT_PTR_TAG", DFLAG.EXPORT_PTR_TAG],
  ["BIT_BINARIES", DFLAG.BIT_BINARIES],
  ["NEW_FLOATS", DFLAG.NEW_FLOATS],
  ["UTF8_ATOMS", DFLAG.UTF8_ATOMS],
  ["MAP_TAG", DFLAG.MAP_TAG],
  ["BIG_CREATION", DFLAG.BIG_CREATION],
  ["HANDSHAKE_23", DFLAG.HANDSHAKE_23],
];

/** MANDATORY_25_DIGEST alone stands for OTP 25's whole set (`expand_mandatory_25_flag`). */
function expand(flags: bigint): bigint {
  if (!(flags & DFLAG.MANDATORY_25_DIGEST)) return flags;
  return REQUIRED.reduce((f, [, bit]) => f | bit, flags);
}

/** The names of required flags the peer lacks; empty when it has them all. */
export function missingFlags(peerFlags: bigint): string[] {
  const f = expand(peerFlags);
  return REQUIRED.filter(([, bit]) => !(f & bit)).map(([name]) => name);
}

/** The flags both sides have: what the connection may use. */
export function negotiated(peerFlags: bigint, hidden: boolean): bigint {
  return expand(peerFlags) & ourFlags(hidden);
}
