/**
 * Whether a process exists, whoever owns it: `kill(pid, 0)` fails with
 * EPERM for another user's process, which still exists.
 *
 * @module
 */
import process from "node:process";

/** True when a process with this pid exists (any owner). Never throws. */
export function processExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
