import { join, resolve } from 'node:path';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { PlannerStore } from './PlannerStore.js';
import { openPostgresStore } from './PostgresStore.js';
import { openSqliteStore } from './SqliteStore.js';

export interface OpenStoreOptions {
  /**
   * Where the data is:
   * - `postgres://` or `postgresql://` URL: PostgreSQL. The schema may be chosen in the URL with
   *   `?schema=NAME` (cosched's own parameter, removed before connecting) or libpq-style
   *   `?options=-c%20search_path%3DNAME`;
   * - `sqlite:PATH` (also `sqlite:///abs/path`) or a path ending in `.sqlite3`, `.sqlite` or `.db`:
   *   that SQLite file;
   * - absent or empty: SQLite at `<dataDir>/cosched.sqlite3`.
   */
  url?: string;
  /** Directory of the default SQLite database (created when missing); default `./cosched-data`. */
  dataDir?: string;
  /** PostgreSQL only: the schema holding the tables (created when missing), e.g. to isolate tests. */
  schema?: string;
}

export const defaultDataDir = './cosched-data';
export const sqliteFileName = 'cosched.sqlite3';

/**
 * Opens the planner store `options` point at, migrated to this code's schema version. The store
 * is ready for `write`/`read`; close it with `close()`.
 *
 * Fails with a CoschedError, never a raw driver error, after releasing whatever it opened:
 * INVALID_ARGUMENT for an unusable URL, schema name, directory or file; UNAVAILABLE when
 * PostgreSQL cannot be reached or refuses the connection (naming the URL without password and
 * the cause); FAILED_PRECONDITION when the database's schema version is newer than this cosched.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<PlannerStore> {
  const url = options.url?.trim() || undefined;
  if (url !== undefined && /^postgres(ql)?:\/\//i.test(url)) return openPostgresStore(url, options.schema);
  if (options.schema !== undefined && options.schema !== '') {
    throw new CoschedError('INVALID_ARGUMENT', `a store schema (${options.schema}) applies to PostgreSQL only, not to SQLite`);
  }
  return openSqliteStore(resolve(sqliteFile(url, options.dataDir)));
}

/** The SQLite file a non-PostgreSQL `url` (or the default in `dataDir`) names. */
function sqliteFile(url: string | undefined, dataDir: string | undefined): string {
  if (url === undefined) return join(dataDir?.trim() || defaultDataDir, sqliteFileName);
  if (/^sqlite:/i.test(url)) {
    const rest = url.slice('sqlite:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw new CoschedError('INVALID_ARGUMENT', `store URL ${url} names no file (use sqlite:PATH)`);
    return path;
  }
  if (/\.(sqlite3|sqlite|db)$/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  const shown = url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1@');
  throw new CoschedError(
    'INVALID_ARGUMENT',
    `unsupported store ${shown}: use postgres://..., postgresql://..., sqlite:PATH or a file path ending in .sqlite3 or .db`,
  );
}
