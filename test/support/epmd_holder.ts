/**
 * Holds one registration until killed, for tests of a node that dies:
 * `bun run test/support/epmd_holder.ts EPMD_PORT NAME PORT`. Prints
 * `registered NAME` once the mapper confirms, or `failed: MESSAGE`.
 */
import { registerName } from "../../lib/epmd/mod.ts";
import { loadRuntime } from "../../lib/runtime/mod.ts";

const rt = await loadRuntime();
const [epmdPort, name, port] = rt.args;
try {
  await registerName(rt, { epmdPort: Number(epmdPort), name, port: Number(port), pid: rt.pid, runtime: rt.name });
  rt.stdout(`registered ${name}`);
} catch (err) {
  rt.stdout(`failed: ${(err as Error).message}`);
  rt.exit(1);
}
