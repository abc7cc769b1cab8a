import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { AsyncMutex } from './AsyncMutex.js';
import { migrate } from './migrations.js';
import type { PlannerStore, StoreTx } from './PlannerStore.js';
import { assertNotInTransaction, runTransaction, type TransactionHooks } from './runTransaction.js';
import type { SqlExecutor, SqlRow, SqlValue } from './SqlExecutor.js';
import { SqlStoreTx } from './SqlStoreTx.js';

/** How long a statement waits for another process's write lock before failing with UNAVAILABLE. */
const busyTimeoutMs = 5_000;
const statementCacheSize = 200;

/**
 * One lock per database file for the whole process: transactions of every store opened on the
 * same file in this process take turns here instead of blocking the event loop in SQLite's busy
 * handler (which would deadlock two stores of one process on one file).
 */
const fileLocks = new Map<string, { mutex: AsyncMutex; users: number }>();

/**
 * Opens (creating it and its directory when missing) the SQLite database `file` as a
 * PlannerStore: WAL journal, busy_timeout, foreign keys on, migrated to the latest schema.
 * One connection; `write` runs BEGIN IMMEDIATE ... COMMIT and `read` a deferred transaction
 * with `PRAGMA query_only`, all queued on a per-file in-process lock because better-sqlite3 is
 * synchronous while `work` is async. Other processes are kept out by SQLite's own file lock.
 *
 * Throws CoschedError INVALID_ARGUMENT when the file or its directory cannot be created or
 * opened, FAILED_PRECONDITION when its schema is newer than this code; closes the database on
 * any failure.
 */
export async function openSqliteStore(file: string): Promise<PlannerStore> {
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
  } catch (error) {
    throw new CoschedError('INVALID_ARGUMENT', `cannot open SQLite database ${file}: ${messageOf(error)}`, { cause: error });
  }
  let lockKey: string | undefined;
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
    lockKey = realpathSync(file);
    const store = new SqliteStore(db, file, acquireFileLock(lockKey), lockKey);
    await migrate({ dialect: 'sqlite', inMigrationTransaction: (work) => store.transaction('write', work) });
    return store;
  } catch (error) {
    if (lockKey !== undefined) releaseFileLock(lockKey);
    db.close();
    if (error instanceof CoschedError) throw error;
    throw new CoschedError('INVALID_ARGUMENT', `cannot use SQLite database ${file}: ${messageOf(error)}`, { cause: error });
  }
}

class SqliteStore implements PlannerStore {
  readonly kind = 'sqlite' as const;
  private closing: Promise<void> | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly executor: SqlExecutor;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    private readonly mutex: AsyncMutex,
    private readonly lockKey: string,
  ) {
    this.executor = {
      dialect: 'sqlite',
      query: async (sql, params = []) => this.prepare(sql).all(bindable(params)) as SqlRow[],
      run: async (sql, params = []) => ({ changes: this.prepare(sql).run(bindable(params)).changes }),
    };
  }

  write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction('write', (db) => work(new SqlStoreTx(db)));
  }

  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction('read', (db) => work(new SqlStoreTx(db)));
  }

  close(): Promise<void> {
    this.closing ??= this.mutex.run(async () => {
      this.db.close();
      releaseFileLock(this.lockKey);
    });
    return this.closing;
  }

  /** Runs `work` in one transaction, queued behind every other transaction on this file in this process. */
  transaction<T>(mode: 'read' | 'write', work: (db: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError(this.location));
    try {
      assertNotInTransaction();
    } catch (error) {
      return Promise.reject(error);
    }
    const readOnly = mode === 'read';
    const hooks: TransactionHooks = {
      executor: this.executor,
      begin: async () => {
        if (readOnly) this.db.pragma('query_only = ON');
        this.db.exec(readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      },
      commit: async () => {
        this.db.exec('COMMIT');
        if (readOnly) this.db.pragma('query_only = OFF');
      },
      rollback: async () => {
        try {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
        } finally {
          if (readOnly) this.db.pragma('query_only = OFF');
        }
      },
      mapError: (error, sql) => sqliteError(error, sql, this.location),
    };
    return this.mutex.run(() => {
      if (!this.db.open) throw closedError(this.location);
      return runTransaction(hooks, work);
    });
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= statementCacheSize) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function acquireFileLock(key: string): AsyncMutex {
  let entry = fileLocks.get(key);
  if (!entry) {
    entry = { mutex: new AsyncMutex(), users: 0 };
    fileLocks.set(key, entry);
  }
  entry.users++;
  return entry.mutex;
}

function releaseFileLock(key: string): void {
  const entry = fileLocks.get(key);
  if (entry && --entry.users === 0) fileLocks.delete(key);
}

/** SQLite binds no booleans: 0/1. */
function bindable(params: readonly SqlValue[]): Array<string | number | null> {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

function closedError(location: string): CoschedError {
  return new CoschedError('UNAVAILABLE', `the store ${location} is closed`);
}

function sqliteError(error: unknown, sql: string, location: string): Error {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const detail = messageOf(error);
  const options = { cause: error };
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return new CoschedError('UNAVAILABLE', `SQLite database ${location} stayed locked by another process for ${busyTimeoutMs} ms`, options);
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new CoschedError('ALREADY_EXISTS', `already exists: ${detail}`, options);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new CoschedError('FAILED_PRECONDITION', `refers to a missing record: ${detail}`, options);
  }
  if (code === 'SQLITE_READONLY') {
    return new CoschedError('INTERNAL', `a write in a read-only store transaction: ${detail} (${sql})`, options);
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return new CoschedError('UNAVAILABLE', `SQLite database ${location}: ${detail}`, options);
  }
  return new CoschedError('INTERNAL', `SQLite database ${location}: ${detail} (${sql})`, options);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
