/**
 * The tiny seam between the shared SQL (SqlStoreTx, migrations) and a database driver: run one
 * statement with `?` placeholders inside the current transaction. Each backend implements it once.
 */

/** A bound parameter. Booleans are stored as 0/1 in SQLite and as BOOLEAN in PostgreSQL. */
export type SqlValue = string | number | boolean | null;

/** A result row: column name to value (BIGINT columns already converted to number). */
export type SqlRow = Record<string, unknown>;

export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs a statement that returns rows (SELECT, or INSERT ... RETURNING) and returns them. */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

const converted = new Map<string, string>();

/**
 * Rewrites `?` placeholders as `$1..$n` for PostgreSQL, leaving `?` inside single-quoted
 * literals, double-quoted identifiers and comments alone. Results are cached per SQL text.
 */
export function toPostgresPlaceholders(sql: string): string {
  const cached = converted.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (converted.size < 10_000) converted.set(sql, out);
  return out;
}

/** `?, ?, ?` with `count` placeholders (count > 0), for IN lists. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
