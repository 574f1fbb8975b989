/**
 * Reading /proc (Linux) for the tests and benches: the fields of a process's
 * `stat` line.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * The fields of /proc/PID/stat after the command name: index 0 is the state
 * (field 3 in proc(5)), 1 the parent's pid, 11 and 12 user and system time
 * in clock ticks. Throws when the process is gone.
 */
export function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // "pid (comm) state ...": the command name may hold spaces and parentheses itself.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
