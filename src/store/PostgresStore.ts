import pg from 'pg';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { migrate } from './migrations.js';
import type { PlannerStore, StoreTx } from './PlannerStore.js';
import { AsyncMutex } from './AsyncMutex.js';
import { assertNotInTransaction, runTransaction, type TransactionHooks } from './runTransaction.js';
import { toPostgresPlaceholders, type SqlExecutor } from './SqlExecutor.js';
import { SqlStoreTx } from './SqlStoreTx.js';

/** First half of the advisory lock keys ('cosc', 'cosm'); the second half is a hash of the schema. */
const writerLockClass = 0x636f7363;
const migrationLockClass = 0x636f736d;
const connectTimeoutMs = 10_000;
const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** int8 (BIGINT, COUNT(*), MAX of BIGINT) as a JS number for this pool only; other types as pg parses them. */
const poolTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A PostgreSQL URL resolved for connecting, with the schema to use and a password-free form for messages. */
export interface PostgresTarget {
  /** What the pool connects with (`schema` applied as `options=-c search_path=...`). */
  connectionString: string;
  /** The schema holding the tables, or undefined for the server's default search_path (public). */
  schema: string | undefined;
  /** The URL without password, with `?schema=` when there is one. */
  location: string;
}

/**
 * Resolves a `postgres://` / `postgresql://` URL and an optional schema. The schema may come from
 * `schema` (the openStore option), the URL's `?schema=NAME` parameter, or its libpq-style
 * `?options=-c search_path=NAME`; when more than one names it they must agree. The name must be
 * a plain identifier (letters, digits, '_'; case kept). Throws CoschedError INVALID_ARGUMENT otherwise.
 */
export function resolvePostgresTarget(url: string, schema?: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CoschedError('INVALID_ARGUMENT', `invalid PostgreSQL URL ${redactUnparsable(url)}: ${messageOf(error)}`, { cause: error });
  }
  const names = new Set<string>();
  if (schema !== undefined && schema !== '') names.add(schema);
  const fromQuery = parsed.searchParams.get('schema');
  if (fromQuery) names.add(fromQuery);
  parsed.searchParams.delete('schema');
  const options = parsed.searchParams.get('options') ?? '';
  const searchPath = /(?:^|\s)(?:-c\s*|--)search_path=(\S+)/.exec(options)?.[1];
  // As PostgreSQL reads it: a quoted identifier keeps its case, an unquoted one is folded to lower case.
  if (searchPath) names.add(/^"(.*)"$/.exec(searchPath)?.[1] ?? searchPath.toLowerCase());
  const location = (chosen: string | undefined) => {
    const shown = new URL(parsed.toString());
    shown.password = '';
    shown.searchParams.delete('password');
    if (chosen) shown.searchParams.set('schema', chosen);
    return shown.toString();
  };
  if (names.size > 1) {
    throw new CoschedError('INVALID_ARGUMENT', `PostgreSQL store ${location(undefined)}: conflicting schemas ${[...names].join(', ')}`);
  }
  const chosen = names.size === 1 ? [...names][0] : undefined;
  if (chosen !== undefined && !schemaNamePattern.test(chosen)) {
    throw new CoschedError(
      'INVALID_ARGUMENT',
      `PostgreSQL store ${location(undefined)}: schema name ${JSON.stringify(chosen)} is not a plain identifier (letters, digits, _; at most 63)`,
    );
  }
  const shown = location(chosen);
  if (chosen !== undefined && !searchPath) {
    parsed.searchParams.set('options', `${options} -c search_path="${chosen}"`.trim());
  }
  return { connectionString: parsed.toString(), schema: chosen, location: shown };
}

/**
 * Opens a PlannerStore on PostgreSQL: a `pg` pool (int8 parsed as number for this pool only,
 * search_path set on every connection when there is a schema), the schema created when missing,
 * and migrations applied under an advisory lock so servers starting together migrate once.
 * `write` runs BEGIN + `pg_advisory_xact_lock(writer key)` on one pooled client, so writers are
 * serialised across processes sharing the schema (stores on different schemas do not contend);
 * `read` runs `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`.
 *
 * Throws CoschedError UNAVAILABLE when the server cannot be reached or refuses the connection
 * (message: the URL without password and the cause), FAILED_PRECONDITION when the schema is
 * newer than this code, INVALID_ARGUMENT for an unusable URL; the pool is closed on failure.
 */
export async function openPostgresStore(url: string, schema?: string): Promise<PlannerStore> {
  const target = resolvePostgresTarget(url, schema);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'cosched',
    types: poolTypes,
  });
  // An idle client losing its connection must not crash the process; the next use reports it.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, target);
  try {
    await migrate({ dialect: 'postgres', inMigrationTransaction: (work) => store.transaction('migrate', work) });
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof CoschedError) throw error;
    throw new CoschedError('UNAVAILABLE', `cannot open PostgreSQL store ${target.location}: ${messageOf(error)}`, { cause: error });
  }
}

class PostgresStore implements PlannerStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private closing: Promise<void> | undefined;
  private readonly lockObject: number;
  /** This process's writers queue here, so at most one pooled client waits on the advisory lock. */
  private readonly writers = new AsyncMutex();

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PostgresTarget,
  ) {
    this.location = target.location;
    this.lockObject = hash32(target.schema ?? '');
  }

  write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction('write', (db) => work(new SqlStoreTx(db)));
  }

  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction('read', (db) => work(new SqlStoreTx(db)));
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  /**
   * One transaction on one pooled client; 'migrate' also creates the schema, under the migration
   * lock. Writes (and migrations) of this store queue in-process first.
   */
  async transaction<T>(mode: 'read' | 'write' | 'migrate', work: (db: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closing) throw new CoschedError('UNAVAILABLE', `the store ${this.location} is closed`);
    assertNotInTransaction();
    return mode === 'read' ? this.onClient(mode, work) : this.writers.run(() => this.onClient(mode, work));
  }

  private async onClient<T>(mode: 'read' | 'write' | 'migrate', work: (db: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closing) throw new CoschedError('UNAVAILABLE', `the store ${this.location} is closed`);
    let client: pg.PoolClient | undefined;
    let broken = false;
    const onClientError = () => {
      broken = true;
    };
    const connected = (): pg.PoolClient => {
      if (!client) throw new CoschedError('INTERNAL', 'no connection for the transaction');
      return client;
    };
    const hooks: TransactionHooks = {
      executor: {
        dialect: 'postgres',
        query: async (sql, params = []) => (await connected().query(toPostgresPlaceholders(sql), [...params])).rows,
        run: async (sql, params = []) => ({ changes: (await connected().query(toPostgresPlaceholders(sql), [...params])).rowCount ?? 0 }),
      },
      begin: async () => {
        client = await this.pool.connect();
        client.on('error', onClientError);
        if (mode === 'read') {
          await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          return;
        }
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [mode === 'migrate' ? migrationLockClass : writerLockClass, this.lockObject]);
        if (mode === 'migrate' && this.target.schema !== undefined) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.target.schema)}`);
        }
      },
      commit: async () => {
        await connected().query('COMMIT');
      },
      rollback: async () => {
        if (!client || broken) return;
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
      },
      mapError: (error, sql) => {
        const mapped = postgresError(error, sql, this.location);
        if (mapped.code === 'UNAVAILABLE') broken = true;
        return mapped;
      },
    };
    try {
      return await runTransaction(hooks, work);
    } finally {
      if (client) {
        client.removeListener('error', onClientError);
        client.release(broken ? true : undefined);
      }
    }
  }
}

/** Maps a pg or socket error to a CoschedError naming the store (never its password). */
function postgresError(error: unknown, sql: string, location: string): CoschedError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const detail = messageOf(error);
  const options = { cause: error };
  if (isConnectionFailure(code, detail)) {
    return new CoschedError('UNAVAILABLE', `cannot reach PostgreSQL at ${location}: ${detail}`, options);
  }
  if (code === '23505') return new CoschedError('ALREADY_EXISTS', `already exists: ${detail}`, options);
  if (code === '23503') return new CoschedError('FAILED_PRECONDITION', `refers to a missing record: ${detail}`, options);
  if (code === '40001' || code === '40P01') return new CoschedError('ABORTED', `PostgreSQL at ${location}: ${detail}`, options);
  if (code === '25006') return new CoschedError('INTERNAL', `a write in a read-only store transaction: ${detail} (${sql})`, options);
  if (code === '42501') return new CoschedError('FAILED_PRECONDITION', `PostgreSQL at ${location}: ${detail}`, options);
  return new CoschedError('INTERNAL', `PostgreSQL at ${location}: ${detail} (${sql})`, options);
}

/** Socket errors, connection/auth/database-missing SQLSTATEs, and pg's own connection messages. */
function isConnectionFailure(code: string, message: string): boolean {
  return (
    /^E[A-Z]+$/.test(code) ||
    code.startsWith('08') ||
    code.startsWith('28') ||
    code.startsWith('57P') ||
    code === '3D000' ||
    code === '53300' ||
    /Connection terminated|timeout expired|timeout exceeded|not queryable|ECONNREFUSED|ENOTFOUND/i.test(message)
  );
}

/** FNV-1a over the UTF-8 bytes, as a signed 32-bit integer (an advisory lock key half). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

function redactUnparsable(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1@');
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(messageOf))].join('; ');
  }
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
