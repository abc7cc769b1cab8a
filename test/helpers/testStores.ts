import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore } from '../../src/store/openStore.js';
import type { PlannerStore } from '../../src/store/PlannerStore.js';
import { resolvePostgresTarget } from '../../src/store/PostgresStore.js';
import { defaultTestPostgresUrl } from '../setup/ensurePostgres.js';

export type TestStoreKind = 'sqlite' | 'postgres';

/** Both backends, for `describe.each(testStoreKinds)`. */
export const testStoreKinds: readonly TestStoreKind[] = ['sqlite', 'postgres'];

/** A fresh, isolated database with a store open on it. */
export interface TestStore {
  kind: TestStoreKind;
  /** The store opened by openTestStore. */
  store: PlannerStore;
  /**
   * What `openStore({ url })` or `cosched serve --store <url>` needs to reach the same data:
   * SQLite: the file path (ends in .sqlite3); PostgreSQL: the server URL with `?schema=NAME`.
   */
  url: string;
  /** PostgreSQL: the schema (cosched_test_<hex>); SQLite: undefined. */
  schema: string | undefined;
  /** Opens another store on the same database (closed by dispose), like a second server would. */
  openAnother(): Promise<PlannerStore>;
  /**
   * Test-only raw access on a separate connection: runs one statement (with `?` placeholders on
   * SQLite, `$1..` on PostgreSQL) and returns its rows (empty for statements without rows).
   */
  sql(statement: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Closes every store opened through this object and drops the database (schema or temp dir). Idempotent. */
  dispose(): Promise<void>;
}

/** The PostgreSQL server for tests: the one test/setup/ensurePostgres.ts found or started. */
export function testPostgresUrl(): string {
  return inject('coschedTestPostgresUrl') || process.env.COSCHED_TEST_POSTGRES_URL || defaultTestPostgresUrl;
}

/**
 * A fresh store: SQLite in a new temp dir, or PostgreSQL in a new schema `cosched_test_<hex>`
 * on testPostgresUrl(). Call `dispose()` when done (e.g. in afterEach/afterAll).
 */
export async function openTestStore(kind: TestStoreKind): Promise<TestStore> {
  return kind === 'sqlite' ? openSqliteTestStore() : openPostgresTestStore();
}

async function openSqliteTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'cosched-store-'));
  const url = join(dir, 'cosched.sqlite3');
  return tracked('sqlite', url, undefined, async () => rmSync(dir, { recursive: true, force: true }), async (statement, params = []) => {
    const db = new Database(url);
    try {
      db.pragma('busy_timeout = 5000');
      const prepared = db.prepare(statement);
      if (prepared.reader) return prepared.all(...(params as unknown[])) as Array<Record<string, unknown>>;
      prepared.run(...(params as unknown[]));
      return [];
    } finally {
      db.close();
    }
  });
}

async function openPostgresTestStore(): Promise<TestStore> {
  const server = testPostgresUrl();
  const schema = `cosched_test_${randomBytes(6).toString('hex')}`;
  const base = new URL(server);
  base.searchParams.set('schema', schema);
  const url = base.toString();
  const withClient = async <T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  const drop = () => withClient(server, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)));
  const target = resolvePostgresTarget(url);
  return tracked('postgres', url, schema, drop, (statement, params = []) =>
    withClient(target.connectionString, async (client) => (await client.query(statement, params)).rows as Array<Record<string, unknown>>),
  );
}

async function tracked(
  kind: TestStoreKind,
  url: string,
  schema: string | undefined,
  drop: () => Promise<void>,
  sql: TestStore['sql'],
): Promise<TestStore> {
  const opened: PlannerStore[] = [];
  const openAnother = async () => {
    const store = await openStore({ url });
    opened.push(store);
    return store;
  };
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      await Promise.allSettled(opened.map((s) => s.close()));
      await drop();
    })());
  try {
    const store = await openAnother();
    return { kind, store, url, schema, openAnother, sql, dispose };
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
}
