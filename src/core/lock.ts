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
  const file = openLockFile(lockPath);
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

/**
 * Opens the lock file without following a link: a link planted at its path (a committed
 * `.buildrunner/.lock`) would otherwise have its target truncated. A missing file is created
 * exclusively (which never follows a link); an existing one must be a regular file, and the
 * file opened must be the one the path names after the open (a link swapped in between is
 * caught before anything is written).
 */
function openLockFile(lockPath: string): Deno.FsFile {
  try {
    let before = lstatOrNull(lockPath);
    if (before === null) {
      try {
        return Deno.openSync(lockPath, { read: true, write: true, createNew: true });
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
        before = lstatOrNull(lockPath);
      }
    }
    if (before !== null && !before.isFile) throw notAFile(lockPath, before);
    const file = Deno.openSync(lockPath, { read: true, write: true });
    const opened = file.statSync();
    const now = lstatOrNull(lockPath);
    if (now === null || !now.isFile || now.ino !== opened.ino || now.dev !== opened.dev) {
      file.close();
      throw notAFile(lockPath, now);
    }
    return file;
  } catch (err) {
    if (err instanceof BrError) throw err;
    throw new BrError("storage", `Cannot open lock file "${lockPath}": ${(err as Error).message}`, {
      cause: err,
      hint: "check that .buildrunner/ is a folder br may write to",
    });
  }
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

function notAFile(lockPath: string, info: Deno.FileInfo | null): BrError {
  const what = info?.isSymlink
    ? "it is a symbolic link"
    : info === null
    ? "it was replaced while being opened"
    : "it is not a regular file";
  return new BrError("invalid_data", `Cannot use the lock file "${lockPath}": ${what}`, {
    hint: `remove it (br creates its own): rm "${lockPath}"`,
  });
}
