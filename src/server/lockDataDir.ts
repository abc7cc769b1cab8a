import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CoschedError } from '../../solver/errors/CoschedError.js';

/** A held data-directory lock; release() removes it (idempotent). */
export interface DataDirLock {
  path: string;
  release(): void;
}

/**
 * Makes this process the only cosched server on `dataDir` (the embedded SQLite store is not
 * shared between servers: use PostgreSQL for replicas). Creates `cosched.pid` exclusively (so two
 * servers starting together cannot both win) holding this pid. A lock left by a process that no
 * longer runs (kill -9, a crash) is taken over.
 * @throws CoschedError FAILED_PRECONDITION when a running process holds the directory, naming its pid.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(resolve(dataDir), 'cosched.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(error, path);
    }
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      holder = undefined;
    }
    if (holder !== undefined && Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new CoschedError(
        'FAILED_PRECONDITION',
        `the data directory ${resolve(dataDir)} is in use by another cosched server (pid ${holder}); stop it, use another --data-dir, or share a PostgreSQL store (--store postgres://...) between servers`,
        { reason: 'DATA_DIR_LOCKED' },
      );
    }
    // Stale (or unreadable, or ours): remove it and try once more.
    rmSync(path, { force: true });
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}

function lockError(error: unknown, path: string): Error {
  if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
    return new CoschedError('FAILED_PRECONDITION', `the data directory lock ${path} was taken by another process while this one started`, { reason: 'DATA_DIR_LOCKED' });
  }
  return new CoschedError('FAILED_PRECONDITION', `cannot create the data directory lock ${path}: ${(error as Error).message}`, { reason: 'DATA_DIR_UNWRITABLE', cause: error });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
