/**
 * meshrpc's version, read from package.json: the one place it is written.
 * (deno.json repeats it because JSR reads it there; test/integration/package.test.ts
 * checks that the two agree.)
 *
 * @module
 */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
