/**
 * Must NOT type-check (test/unit/typed_module.test.ts runs `deno check` on it
 * and expects the error): a typed call with a number where the module's
 * function takes a string.
 */
import type { MeshNode } from "../../../lib/mod.ts";

declare const node: MeshNode;

export async function wrongArgument(): Promise<string> {
  const person = node.module<typeof import("../../fixtures/modules/Person.ts")>("fuga@localhost", "Person");
  return await person.say_hello(42);
}
