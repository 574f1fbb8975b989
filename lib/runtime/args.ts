/**
 * Argument parsing for the CLI. `node:util`'s `parseArgs` behaves the same on
 * Bun, Deno and the compiled binary; it lives here because `node:*` imports
 * belong to the runtime seam.
 *
 * @module
 */
export { parseArgs } from "node:util";
