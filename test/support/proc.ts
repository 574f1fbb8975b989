/**
 * Reading /proc (Linux) for the tests and benches: the fields of a process's
 * `stat` line, and of its threads'; the descendants of a process.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";

/** A stat line's command name, and its fields after it (see `statFields`). */
function parseStat(stat: string): { name: string; fields: string[] } {
  // "pid (comm) state ...": the command name may hold spaces and parentheses itself.
  const close = stat.lastIndexOf(")");
  return { name: stat.slice(stat.indexOf("(") + 1, close), fields: stat.slice(close + 2).split(" ") };
}

/**
 * The fields of /proc/PID/stat after the command name: index 0 is the state
 * (field 3 in proc(5)), 1 the parent's pid, 11 and 12 user and system time
 * in clock ticks. Throws when the process is gone.
 */
export function statFields(pid: number): string[] {
  return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).fields;
}

/** Each live thread of `pid`: its name and its stat fields, as `statFields` numbers them. */
export function threadStats(pid: number): { name: string; fields: string[] }[] {
  const threads = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.push(parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** The pids of `pid`'s descendants, from /proc (Linux). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(Number(entry))[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while /proc was read.
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}
