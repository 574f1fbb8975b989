/**
 * SPEC §4: the HTTP status of each result kind.
 *
 * @module
 */
import type { Kind } from "../result.ts";

export const STATUS = {
  ok: 200,
  exception: 500,
  undef: 404,
  noconnection: 502,
  timeout: 504,
  badarg: 400,
  unauthorized: 401,
} as const satisfies Record<Kind, number>;
