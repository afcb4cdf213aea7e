import { BrError } from "./errors.ts";

/** Options of {@link withLock}. */
export interface LockOptions {
  /** How long to wait for another process to release the lock. Default 30 s. */
  timeoutMs?: number;
}

const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the exclusive project lock at `lockPath`.
 *
 * The lock is an advisory `flock` on the file: the kernel releases it when the holder exits
 * for any reason (SIGKILL included), so a lock left by a dead process is recovered at once
 * and never needs guessing from its age. Calls inside one process queue up in order first.
 *
 * @throws {BrError} `lock_timeout` when another process holds it longer than the timeout.
 */
export function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => lockAndRun(lockPath, fn, options));
  const tail = run.catch(() => {});
  inProcess.set(lockPath, tail);
  tail.then(() => {
    if (inProcess.get(lockPath) === tail) inProcess.delete(lockPath);
  });
  return run;
}

async function lockAndRun<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(lockPath, { create: true, read: true, write: true });
  } catch (err) {
    throw new BrError("storage", `Cannot open lock file "${lockPath}": ${(err as Error).message}`, {
      hint: "check that .buildrunner/ is a folder br may write to",
      cause: err,
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let granted = false;
  const locked = file.lock(true).then(() => granted = true);
  locked.catch(() => {}); // a failure is raised by the race below
  // An uncontended lock is granted within one file-system round trip: only a wait arms the
  // timeout (the first timer of a Deno process costs several milliseconds).
  await Deno.stat(lockPath).catch(() => {});
  let got = granted;
  if (!got) {
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    got = await Promise.race([locked, timedOut]);
    clearTimeout(timer);
  }
  if (!got) {
    // The pending lock request cannot be cancelled: release it as soon as it is granted.
    locked.then(() => file.close(), () => file.close());
    throw new BrError(
      "lock_timeout",
      `Timed out after ${timeoutMs} ms waiting for the project lock "${lockPath}"`,
      { hint: "another br process is still working; retry when it has finished" },
    );
  }
  try {
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
    return await fn();
  } finally {
    file.close();
  }
}
