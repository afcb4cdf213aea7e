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

/** True while any process of the group led by `pgid` is left (zombies do not count). */
function groupAlive(pgid: number): boolean {
  if (Deno.build.os !== "linux") {
    try {
      Deno.kill(-pgid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // state, ppid, pgrp
        if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Stops a process group: SIGTERM, then SIGKILL once `graceMs` has passed with any process of
 * it (the leader or what it started) still running. Resolves when the group is gone, or just
 * after the SIGKILL.
 */
export async function stopGroup(pid: number, start: string | null, graceMs = 3000): Promise<void> {
  if (!processAlive(pid, start) && !groupAlive(pid)) return;
  if (!killGroup(pid, "SIGTERM")) return;
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!processAlive(pid, start) && !groupAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  killGroup(pid, "SIGKILL");
  // SIGKILL cannot be ignored: wait (briefly) until the kernel has ended them.
  const hard = Date.now() + 1000;
  while (Date.now() < hard && groupAlive(pid)) await new Promise((r) => setTimeout(r, 10));
}
