/**
 * The JSON markers of Erlang values (`lib/core/terms.ts` writes them with
 * `toJSON()`; `json_decode.ts` hands them here to read back):
 *
 * | value        | JSON                                                               |
 * |--------------|--------------------------------------------------------------------|
 * | Atom         | `{"$atom":"ok"}`                                                   |
 * | Tuple        | `{"$tuple":[1, 2]}`                                                |
 * | ImproperList | `{"$improper":{"items":[1], "tail":2}}`                            |
 * | BitString    | `{"$bits":{"bytes":{"$bytes":"IA=="}, "bits":3}}`                  |
 * | Pid          | `{"$pid":{"node":"ex@h", "id":85, "serial":0, "creation":1}}`       |
 * | Ref          | `{"$reference":{"node":"ex@h", "creation":1, "ids":[3, 2, 1]}}`     |
 * | Port         | `{"$port":{"node":"ex@h", "id":5, "creation":1}}`                  |
 * | ExportFun    | `{"$export":{"module":"lists", "function":"map", "arity":2}}`      |
 * | OpaqueFun    | `{"$fun":{"$bytes":"..."}}`                                        |
 *
 * @module
 */
import type { Value } from "../result.ts";
import { Atom, BitString, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple } from "../core/terms.ts";

/** The marker keys of this module. */
export const TERM_MARKERS = ["$atom", "$tuple", "$improper", "$bits", "$pid", "$reference", "$port", "$export", "$fun"];

/** How a marker's content is read: `read` decodes a nested JSON value, `fail` reports a malformed marker. */
export type MarkerReader = {
  read(x: unknown, depth: number): Value;
  fail(advice: string): never;
};

const EXAMPLES: Record<string, string> = {
  $atom: '{"$atom":"ok"}',
  $tuple: '{"$tuple":[{"$atom":"ok"},1]}',
  $improper: '{"$improper":{"items":[1],"tail":2}}',
  $bits: '{"$bits":{"bytes":{"$bytes":"IA=="},"bits":3}}',
  $pid: '{"$pid":{"node":"ex@localhost","id":85,"serial":0,"creation":1}}',
  $reference: '{"$reference":{"node":"ex@localhost","creation":1,"ids":[3,2,1]}}',
  $port: '{"$port":{"node":"ex@localhost","id":5,"creation":1}}',
  $export: '{"$export":{"module":"lists","function":"map","arity":2}}',
  $fun: '{"$fun":{"$bytes":"..."}} as received',
};

const isUint32 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;

/** The fields of a marker's object, each checked by `ok`; fails with the example otherwise. */
function fields(
  key: string,
  content: unknown,
  r: MarkerReader,
  want: Record<string, (x: unknown) => boolean>,
): Record<string, unknown> {
  const ok = typeof content === "object" && content !== null && !Array.isArray(content) &&
    Object.keys(want).every((k) => want[k]((content as Record<string, unknown>)[k]));
  if (!ok) r.fail(`expected ${EXAMPLES[key]}`);
  return content as Record<string, unknown>;
}

const text = (x: unknown) => typeof x === "string" && x.length > 0;

/** The value of the Erlang marker `key` (one of `TERM_MARKERS`); `depth` counts the containers around its content. */
export function termMarker(key: string, content: unknown, depth: number, r: MarkerReader): Value {
  try {
    return build(key, content, depth, r);
  } catch (err) {
    // A class constructor's RangeError (a 300-character atom) is a malformed marker too.
    if (err instanceof RangeError) r.fail(err.message);
    throw err;
  }
}

function build(key: string, content: unknown, depth: number, r: MarkerReader): Value {
  switch (key) {
    case "$atom":
      if (typeof content !== "string") r.fail(`expected ${EXAMPLES[key]}`);
      return new Atom(content);
    case "$tuple": {
      if (!Array.isArray(content)) r.fail(`expected ${EXAMPLES[key]}`);
      return new Tuple(r.read(content, depth) as Value[]);
    }
    case "$improper": {
      const f = fields(key, content, r, { items: (x) => Array.isArray(x) && x.length > 0 });
      const items = r.read(f.items, depth + 1) as Value[];
      return new ImproperList(items, r.read(f.tail, depth + 1));
    }
    case "$bits": {
      const f = fields(key, content, r, { bits: (x) => Number.isInteger(x) });
      const bytes = r.read(f.bytes, depth + 1);
      if (!(bytes instanceof Uint8Array)) r.fail(`expected ${EXAMPLES[key]}`);
      return new BitString(bytes, f.bits as number);
    }
    case "$pid": {
      const f = fields(key, content, r, { node: text, id: isUint32, serial: isUint32, creation: isUint32 });
      return new Pid(f.node as string, f.id as number, f.serial as number, f.creation as number);
    }
    case "$reference": {
      const f = fields(key, content, r, { node: text, creation: isUint32, ids: (x) => Array.isArray(x) && x.every(isUint32) });
      return new Ref(f.node as string, f.creation as number, f.ids as number[]);
    }
    case "$port": {
      const f = fields(key, content, r, { node: text, creation: isUint32 });
      const id = r.read(f.id, depth + 1);
      if (!((typeof id === "number" && Number.isSafeInteger(id) && id >= 0) || (typeof id === "bigint" && id >= 0n))) {
        r.fail(`expected ${EXAMPLES[key]}`);
      }
      return new Port(f.node as string, BigInt(id), f.creation as number);
    }
    case "$export": {
      const f = fields(key, content, r, {
        module: text,
        function: text,
        arity: (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255,
      });
      return new ExportFun(f.module as string, f.function as string, f.arity as number);
    }
    default: {
      const bytes = r.read(content, depth);
      if (!(bytes instanceof Uint8Array)) r.fail(`expected ${EXAMPLES[key]}`);
      return new OpaqueFun(bytes);
    }
  }
}
