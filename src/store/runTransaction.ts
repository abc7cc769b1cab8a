import { AsyncLocalStorage } from 'node:async_hooks';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { SqlExecutor, SqlRow, SqlValue } from './SqlExecutor.js';

/** How one backend begins, commits and rolls back the transaction it has already bound `executor` to. */
export interface TransactionHooks {
  /** The connection's executor (raw driver errors; `mapError` turns them into CoschedErrors). */
  executor: SqlExecutor;
  begin(): Promise<void>;
  commit(): Promise<void>;
  /** Must not throw for a broken connection if it can help it; a throw here is swallowed. */
  rollback(): Promise<void>;
  /** Turns a driver error (with the statement that failed) into the error the caller sees. */
  mapError(error: unknown, sql: string): Error;
}

/** Marks the async context of a running `work`; `open` turns false when its transaction ends. */
const current = new AsyncLocalStorage<{ open: boolean }>();

/**
 * Runs `work` in one transaction, the same way for every backend:
 * - refuses (CoschedError INTERNAL) to start while the caller is itself inside a store
 *   transaction's `work`, which would otherwise deadlock on the writer lock;
 * - begins, runs `work` with an executor bound to the transaction, commits when it resolves,
 *   rolls back and rethrows when it rejects;
 * - once any statement has failed, the transaction is spoiled (PostgreSQL aborts it; SQLite is
 *   made to behave the same): later statements throw that error, and a `work` that swallowed it
 *   and resolved gets it thrown after a rollback, so nothing is half-written;
 * - a `tx` used after its transaction ended throws instead of touching the next transaction.
 * Driver errors surface as CoschedErrors via `hooks.mapError`; errors thrown by `work` itself
 * pass through unchanged.
 */
export async function runTransaction<T>(hooks: TransactionHooks, work: (db: SqlExecutor) => Promise<T>): Promise<T> {
  assertNotInTransaction();
  const scope = new TransactionScope(hooks);
  const marker = { open: true };
  try {
    await scope.guard('BEGIN', () => hooks.begin());
    const result = await current.run(marker, () => work(scope));
    if (scope.failure) throw scope.failure;
    await scope.guard('COMMIT', () => hooks.commit());
    return result;
  } catch (error) {
    await hooks.rollback().catch(() => undefined);
    throw error;
  } finally {
    marker.open = false;
    scope.closed = true;
  }
}

/**
 * Throws CoschedError INTERNAL when called from inside a running transaction's `work` (a nested
 * `write`/`read`, which would wait forever for the lock its caller holds). Backends that queue
 * before runTransaction call it first.
 */
export function assertNotInTransaction(): void {
  if (current.getStore()?.open) {
    throw new CoschedError('INTERNAL', 'a store transaction cannot start inside another one (write/read called from inside work)');
  }
}

/** The executor handed to SqlStoreTx: maps errors, remembers the first failure, refuses use after the end. */
class TransactionScope implements SqlExecutor {
  readonly dialect;
  failure: Error | undefined;
  closed = false;

  constructor(private readonly hooks: TransactionHooks) {
    this.dialect = hooks.executor.dialect;
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.guard(sql, () => this.hooks.executor.query(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.guard(sql, () => this.hooks.executor.run(sql, params));
  }

  async guard<R>(sql: string, step: () => Promise<R>): Promise<R> {
    if (this.closed) throw new CoschedError('INTERNAL', 'a store transaction was used after it ended');
    if (this.failure) throw this.failure;
    try {
      return await step();
    } catch (error) {
      const mapped = error instanceof CoschedError ? error : this.hooks.mapError(error, sql);
      this.failure ??= mapped;
      throw mapped;
    }
  }
}
