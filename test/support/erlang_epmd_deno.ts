/**
 * The Erlang port mapper client and server over the runtime's TCP, run
 * under any runtime (the tests run it with Deno):
 * `deno run -A test/support/erlang_epmd_deno.ts EPMD_PORT DIST_PORT`.
 * Serves an embedded epmd on a free port, registers "dn" with it and with
 * the epmd at EPMD_PORT, looks both up, and prints one JSON line.
 */
import { listNames, lookupNode, registerNode } from "../../lib/erlang/epmd.ts";
import { serveEpmd } from "../../lib/erlang/epmd_server.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";

const rt = await loadRuntime();
const [epmdPort, distPort] = rt.args.map(Number);
const own = await serveEpmd(rt, { hostname: "127.0.0.1", port: 0 });
const mine = await registerNode(rt, { host: "127.0.0.1", port: own.port }, { name: "dn", port: distPort });
const theirs = await registerNode(rt, { host: "127.0.0.1", port: epmdPort }, { name: "dn", port: distPort });
const result = {
  runtime: rt.name,
  embedded: (await lookupNode(rt, { host: "127.0.0.1", port: own.port }, "dn"))?.port,
  embeddedNames: await listNames(rt, { host: "127.0.0.1", port: own.port }),
  real: (await lookupNode(rt, { host: "127.0.0.1", port: epmdPort }, "dn"))?.port,
  creations: [mine.creation, theirs.creation].every((c) => c > 0),
};
mine.close();
theirs.close();
await own.close();
rt.stdout(JSON.stringify(result));
rt.exit(0);
