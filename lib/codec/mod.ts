/**
 * The codec: CBOR for the wire, a JSON mapping for curl, and the limits that
 * keep hostile input from crashing a node.
 *
 * @module
 */
export { CodecError, findUnencodable, MAX_BIGINT_BYTES, WIRE_TYPES } from "./errors.ts";
export { DEFAULT_LIMITS, type Limits, TooLargeError } from "./limits.ts";
export { decode, encode, type EncodeOptions } from "./cbor.ts";
export { decodeJson, encodeJson, type EncodeJsonOptions, fromJson, toJson } from "./json.ts";
