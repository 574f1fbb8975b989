/**
 * meshrpc's version, read from package.json: the one place it is written
 * (`make publish-jsr` hands it to `deno publish --set-version`).
 *
 * @module
 */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
