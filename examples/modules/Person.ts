// The module of the README and `make demo`: `meshrpc call fuga@localhost Person say_hello hoge@localhost`
// answers "Hello, Hoge! My name is Fuga." (this.self is the node the function runs on).
import type { CallContext } from "../../lib/mod.ts";

const short = (node: string) => {
  const name = node.split("@")[0];
  return name[0].toUpperCase() + name.slice(1);
};

export function say_hello(this: CallContext, other: string): string {
  return `Hello, ${short(other)}! My name is ${short(this.self)}.`;
}
