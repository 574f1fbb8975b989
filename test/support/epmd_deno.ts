/**
 * Runs a port mapper in its own process (any runtime), for tests:
 * `deno run -A test/support/epmd_deno.ts [PORT]`. Prints
 * `epmd listening PORT` once it serves; stops on SIGTERM.
 */
import { startEpmd } from "../../lib/epmd/mod.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";

const rt = await loadRuntime();
const server = await startEpmd(rt, { hostname: "127.0.0.1", port: Number(rt.args[0] ?? 0) });
rt.stdout(`epmd listening ${server.port}`);
rt.onSignal("SIGTERM", () => server.stop().then(() => rt.exit(0)));
