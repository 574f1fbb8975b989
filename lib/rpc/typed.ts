/**
 * Typed calls: a module's source type (`typeof import("./Person.ts")`)
 * turned into a proxy whose methods call the module on another node.
 *
 * @module
 */
import { type CallResult, RpcError, type Value } from "../result.ts";

/**
 * The calls into module `M` on a remote node: each exported function of `M`
 * (other exports are left out), without its `this: CallContext`, resolving
 * with what it returns (awaited).
 *
 * ```ts
 * const person = node.module<typeof import("./modules/Person.ts")>("fuga@localhost", "Person");
 * const hello: string = await person.say_hello("hoge@localhost");
 * ```
 */
export type RemoteModule<M> = {
  // deno-lint-ignore no-explicit-any
  readonly [K in keyof M as M[K] extends (...args: any[]) => unknown ? K : never]: M[K] extends
    // deno-lint-ignore no-explicit-any
    (...args: any[]) => unknown ? (...args: Parameters<M[K]>) => Promise<Awaited<ReturnType<M[K]>>>
    : never;
};

/** How `remoteModule` makes a call: `callResult` bound to the node, the module and the call options. */
export type ModuleCaller = (fn: string, args: Value[]) => Promise<CallResult>;

/**
 * A proxy whose every string property is a function calling that function
 * of the module through `call`; it rejects with one RpcError carrying a
 * failed result, as `call` does. `then` is not a call (so that awaiting the
 * proxy does not call the module) and symbols are undefined.
 */
export function remoteModule<M>(call: ModuleCaller): RemoteModule<M> {
  const functions = new Map<string, (...args: Value[]) => Promise<Value>>();
  const target = Object.create(null) as RemoteModule<M>;
  return new Proxy(target, {
    get(_, key) {
      if (typeof key !== "string" || key === "then") return undefined;
      let fn = functions.get(key);
      if (!fn) {
        fn = async (...args: Value[]) => {
          const r = await call(key, args);
          if (r.kind !== "ok") throw new RpcError(r);
          return r.value;
        };
        functions.set(key, fn);
      }
      return fn;
    },
  });
}
