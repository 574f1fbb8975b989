/**
 * The modules every node has: `node`, `system` and `rpc` (SPEC §5).
 *
 * @module
 */
import { sleep } from "../core/sleep.ts";
import type { Value } from "../result.ts";
import type { Runtime } from "../runtime/types.ts";
import type { CallContext, ModuleFunctions } from "./context.ts";
import type { Modules } from "./modules.ts";

/** What the built-ins need to know about their node. */
export interface BuiltinHost {
  runtime: Runtime;
  version: string;
  startedAt: number;
  /** Visible connected nodes. */
  nodes(): string[];
  ping(node: string): Promise<"pong" | "pang">;
  /** `system.activity`: the node's calls, links and recent link events (for a dashboard). */
  activity?(): Record<string, Value>;
}

/** `system.info`: what a dashboard collects from every node. */
export function systemInfo(host: BuiltinHost, self: string): Record<string, Value> {
  const rt = host.runtime;
  const os = rt.os();
  const mem = rt.memory();
  return {
    node: self,
    meshrpc: host.version,
    runtime: rt.name,
    runtimeVersion: rt.version,
    pid: rt.pid,
    hostname: os.hostname,
    platform: os.platform,
    arch: os.arch,
    uptime: (Date.now() - host.startedAt) / 1000,
    osUptime: os.osUptime,
    memory: { ...mem, systemTotal: os.totalMemory, systemFree: os.freeMemory },
    loadavg: os.loadavg,
    cpus: os.cpus,
    cpuModel: os.cpuModel,
    nodes: host.nodes(),
  };
}

export function installBuiltins(modules: Modules, host: BuiltinHost): void {
  const node: ModuleFunctions = {
    self(this: CallContext) {
      return this.self;
    },
    list() {
      return host.nodes();
    },
    ping(this: CallContext, other?: string) {
      return other === undefined || other === this.self ? "pong" : host.ping(String(other));
    },
  };
  const system: ModuleFunctions = {
    info(this: CallContext) {
      return systemInfo(host, this.self);
    },
    /** What a dashboard shows of one node besides `info`: its modules' functions, calls, links and events. */
    activity(): Record<string, Value> {
      const functions: Record<string, Value> = {};
      for (const m of modules.names()) functions[m] = modules.functions(m) ?? [];
      return { modules: functions, ...host.activity?.() };
    },
  };
  const rpc: ModuleFunctions = {
    echo(value: Value) {
      return value;
    },
    /** Waits `ms` milliseconds (stops early, rejecting, when the call is cancelled). */
    sleep(this: CallContext, ms: number) {
      if (typeof ms !== "number" || !(ms >= 0)) throw new TypeError("rpc.sleep takes a number of milliseconds");
      return sleep(ms, this.signal).then(() => ms);
    },
  };
  modules.addBuiltin("node", node);
  modules.addBuiltin("system", system);
  modules.addBuiltin("rpc", rpc);
}
