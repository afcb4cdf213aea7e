/** Process helpers: liveness (pid + start time, so a reused pid is not mistaken), group kill. */
import process from "node:process";

/** The start time of a process as the kernel reports it (Linux), or null elsewhere. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Field 22 (starttime) counted after the command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True when `pid` runs (and, when `start` is known, is still the same process). */
export function processAlive(pid: number | null | undefined, start?: string | null): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
  const now = processStartTime(pid);
  if (Deno.build.os === "linux") {
    if (now === null) return false; // a zombie, or gone between the two checks
    if (start && now !== start) return false;
  }
  return true;
}

/** Sends `signal` to the process group led by `pid` (agents run in their own group). */
export function killGroup(pid: number, signal: Deno.Signal = "SIGTERM"): boolean {
  try {
    Deno.kill(-pid, signal);
    return true;
  } catch {
    try {
      Deno.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs` if it still runs. Resolves
 * when it is gone (or after the SIGKILL).
 */
export async function stopGroup(pid: number, start: string | null, graceMs = 3000): Promise<void> {
  if (!killGroup(pid, "SIGTERM")) return;
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!processAlive(pid, start)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  killGroup(pid, "SIGKILL");
}
