/**
 * Erlang's External Term Format (version 131, erlang/otp
 * erts/doc/guides/erl_ext_dist.md) to JavaScript values and back: the API the
 * Erlang distribution code uses. `term_decode.ts` and `term_encode.ts` do the
 * work; the value classes come from `lib/core/terms.ts`.
 *
 * | Erlang                     | JavaScript (decode)                        | JavaScript → Erlang (encode)                  |
 * |----------------------------|--------------------------------------------|-----------------------------------------------|
 * | integer                    | number when safe, else bigint              | safe-integer number, bigint → integer         |
 * | float                      | number                                     | other number (1.0 arrives as 1); NaN, ±Infinity refused |
 * | `true`, `false`            | boolean                                    | boolean                                       |
 * | `nil`                      | null                                       | null, undefined → `nil`                       |
 * | other atom                 | `Atom` (extends String)                    | `Atom`                                        |
 * | tuple                      | `Tuple` (extends Array)                    | `Tuple`                                       |
 * | proper list, charlist      | Array (a charlist is an array of numbers)  | Array (bytes-only arrays as STRING_EXT)       |
 * | improper list              | `ImproperList`                             | `ImproperList`                                |
 * | binary, valid UTF-8        | string                                     | string                                        |
 * | binary, not UTF-8          | Uint8Array                                 | Uint8Array (any typed array, ArrayBuffer)     |
 * | bitstring                  | `BitString`                                | `BitString`                                   |
 * | map, all keys UTF-8 binaries | plain object                             | plain object (keys → binaries)                |
 * | any other map              | Map                                        | Map                                           |
 * | pid, reference, port       | `Pid`, `Ref`, `Port`                       | the same                                      |
 * | `fun M:F/A`                | `ExportFun`                                | `ExportFun`                                   |
 * | other fun                  | `OpaqueFun` (bytes kept)                   | `OpaqueFun` (bytes echoed)                    |
 * | —                          | —                                          | Date → ISO-8601 binary                        |
 *
 * @module
 */
import type { Value } from "../result.ts";
import { DEFAULT_LIMITS, type Limits } from "../codec/limits.ts";
import { decode, decodeAt } from "./term_decode.ts";
import { encode } from "./term_encode.ts";

export {
  Atom,
  BitString,
  ExportFun,
  ImproperList,
  MAX_ATOM_CHARS,
  OpaqueFun,
  Pid,
  Port,
  Ref,
  type Term,
  Tuple,
} from "../core/terms.ts";
export { CodecError } from "../codec/errors.ts";

/** The version byte that starts every encoded term. */
export { VERSION as VERSION_MAGIC } from "./term_tags.ts";

export type DecodeTermOptions = {
  /** Bounds on input size and nesting; default `DEFAULT_LIMITS` of `lib/codec/limits.ts`. */
  limits?: Limits;
};

export type EncodeTermOptions = {
  /** How the value is named in error paths (`args` gives `args[1].name`). Default `"value"`. */
  root?: string;
  /** Most lists, tuples and maps open at once; default 100. */
  maxDepth?: number;
  /** Write the leading 131 version byte (default true). */
  versionByte?: boolean;
};

/**
 * Decodes one term that starts with the version byte 131 and fills `bytes`
 * exactly.
 *
 * Throws `CodecError` on a missing version byte, a truncated or malformed
 * term, an unknown tag, an atom cache reference (distribution must be
 * negotiated without DFLAG_DIST_HDR_ATOM_CACHE), compressed terms, trailing
 * bytes, or input over `limits.maxBytes` / nested deeper than
 * `limits.maxDepth` (`TooLargeError` for size).
 */
export function decodeTerm(bytes: Uint8Array, options: DecodeTermOptions = {}): Value {
  return decode(bytes, options.limits);
}

/**
 * Decodes one term (with its 131 version byte) that starts at `offset` and
 * says where it ends, for frames that carry several terms one after another
 * (the pass-through frame `112 131 Control 131 Message`). `limits.maxBytes`
 * bounds the whole of `bytes`.
 *
 * Throws `CodecError` as `decodeTerm` does, except that bytes after the term
 * are left for the caller.
 */
export function decodeTermAt(
  bytes: Uint8Array,
  offset: number,
  options: DecodeTermOptions = {},
): { value: Value; end: number } {
  return decodeAt(bytes, offset, options.limits);
}

/**
 * Encodes a value as External Term Format, 131 first (see the module doc for
 * the mapping). The whole value is checked before any byte is returned, so a
 * caller that sends only what this returns never puts a bad term on the wire.
 *
 * Throws `CodecError` with `path` set to where the culprit is (e.g.
 * `args[1].x`) for NaN or ±Infinity, a symbol, a function, a cycle, a class
 * instance it does not know, a Map with two keys that encode the same, or a
 * value nested deeper than `maxDepth`.
 */
export function encodeTerm(value: unknown, options: EncodeTermOptions = {}): Uint8Array {
  return encode(value, {
    root: options.root ?? "value",
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    versionByte: options.versionByte ?? true,
  });
}
