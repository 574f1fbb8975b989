/**
 * Content negotiation for `/rpc`: CBOR or JSON in, the same out unless
 * `Accept` names the other (curl sends `Accept: *\/*`).
 *
 * @module
 */
import { encode } from "../codec/cbor_encode.ts";
import { encodeJson } from "../codec/json_encode.ts";
import type { CallResult } from "../result.ts";
import { STATUS } from "./status.ts";

export type Format = "cbor" | "json";

export const CBOR = "application/cbor";
export const JSON_TYPE = "application/json";

/** The request's body format, or undefined for anything else. */
export function requestFormat(contentType: string | undefined): Format | undefined {
  // The usual headers, without splitting them
  if (contentType === JSON_TYPE) return "json";
  if (contentType === CBOR) return "cbor";
  const type = contentType?.split(";")[0].trim().toLowerCase();
  if (type === CBOR) return "cbor";
  if (type === JSON_TYPE) return "json";
  return undefined;
}

/** The answer's format: what `Accept` asks for by name, else the request's (JSON if unknown). */
export function responseFormat(accept: string | undefined, request: Format | undefined): Format {
  const a = accept?.toLowerCase() ?? "";
  const wantsCbor = a.includes(CBOR);
  const wantsJson = a.includes(JSON_TYPE);
  if (wantsCbor && !wantsJson) return "cbor";
  if (wantsJson && !wantsCbor) return "json";
  return request ?? "json";
}

/** The wire body of a result: `{ok: value}` or `{error: {kind, ...}}`. */
export function resultBody(result: CallResult): Record<string, unknown> {
  if (result.kind === "ok") return { ok: result.value };
  return { error: result };
}

/**
 * A Response for a result, with its SPEC §4 status. A value the format
 * cannot carry becomes a 500 `exception` named "EncodeError".
 */
export function resultResponse(result: CallResult, format: Format): Response {
  const body = resultBody(result);
  let bytes: Uint8Array | string;
  try {
    bytes = format === "cbor" ? encode(body) : encodeJson(body);
  } catch (err) {
    const failed: CallResult = {
      kind: "exception",
      name: "EncodeError",
      message: `The function returned a value that cannot be sent: ${(err as Error).message}`,
    };
    return resultResponse(failed, format);
  }
  return new Response(bytes as BodyInit, { status: STATUS[result.kind], headers: HEADERS[format] });
}

// Built once: a Response copies the Headers it is given (cheaper than reading an object literal each time).
const HEADERS: Record<Format, Headers> = {
  cbor: new Headers({ "content-type": CBOR }),
  json: new Headers({ "content-type": `${JSON_TYPE}; charset=utf-8` }),
};
