import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { SqlDialect, SqlExecutor } from './SqlExecutor.js';

/** Column types per dialect; DDL is written once with these. */
export interface DialectTypes {
  /** Whole numbers: times (epoch ms), seqs, versions, counts. */
  int: string;
  /** Floating point (GPU-hours). */
  float: string;
  /** Booleans (0/1 in SQLite). */
  bool: string;
  /** Identifiers compared and ordered bytewise (ids, keys). */
  key: string;
  /** Free text and JSON. */
  text: string;
  /** After a CREATE TABLE's closing parenthesis. */
  tableOptions: string;
}

const dialectTypes: Record<SqlDialect, DialectTypes> = {
  sqlite: { int: 'INTEGER', float: 'REAL', bool: 'INTEGER', key: 'TEXT', text: 'TEXT', tableOptions: ' STRICT' },
  postgres: { int: 'BIGINT', float: 'DOUBLE PRECISION', bool: 'BOOLEAN', key: 'TEXT COLLATE "C"', text: 'TEXT', tableOptions: '' },
};

export interface Migration {
  /** 1, 2, 3, ... in order, never renumbered once released. */
  version: number;
  name: string;
  /** The statements, one per string, for a dialect. */
  statements(t: DialectTypes, dialect: SqlDialect): string[];
}

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'standing planner tables',
    statements: (t) => [
      `CREATE TABLE counters (
        name ${t.key} PRIMARY KEY,
        value ${t.int} NOT NULL
      )${t.tableOptions}`,
      `CREATE TABLE jobs (
        id ${t.key} PRIMARY KEY,
        seq ${t.int} NOT NULL UNIQUE,
        spec_json ${t.text} NOT NULL,
        state ${t.key} NOT NULL,
        state_reason ${t.text} NOT NULL,
        done_gpu_hours ${t.float} NOT NULL,
        plan_run_id ${t.key} NOT NULL,
        planned_json ${t.text} NOT NULL,
        running_site ${t.key} NOT NULL,
        created_ms ${t.int} NOT NULL,
        updated_ms ${t.int} NOT NULL
      )${t.tableOptions}`,
      'CREATE INDEX jobs_by_state_seq ON jobs (state, seq)',
      `CREATE TABLE forecasts (
        site_id ${t.key} NOT NULL,
        version ${t.int} NOT NULL,
        start_ms ${t.int} NOT NULL,
        hours ${t.int} NOT NULL,
        site_json ${t.text} NOT NULL,
        source ${t.text} NOT NULL,
        created_ms ${t.int} NOT NULL,
        list_key ${t.key} NOT NULL UNIQUE,
        PRIMARY KEY (site_id, version)
      )${t.tableOptions}`,
      'CREATE INDEX forecasts_by_start ON forecasts (start_ms)',
      `CREATE TABLE progress (
        job_id ${t.key} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        hour_ms ${t.int} NOT NULL,
        site_id ${t.key} NOT NULL,
        gpus ${t.float} NOT NULL,
        reported_ms ${t.int} NOT NULL,
        PRIMARY KEY (job_id, hour_ms, site_id)
      )${t.tableOptions}`,
      'CREATE INDEX progress_by_hour ON progress (hour_ms)',
      `CREATE TABLE runs (
        id ${t.key} PRIMARY KEY,
        seq ${t.int} NOT NULL UNIQUE,
        state ${t.key} NOT NULL,
        run_trigger ${t.key} NOT NULL,
        created_ms ${t.int} NOT NULL,
        now_ms ${t.int} NOT NULL,
        plan_start_ms ${t.int} NOT NULL,
        horizon_end_ms ${t.int} NOT NULL,
        params_json ${t.text} NOT NULL,
        metadata_json ${t.text} NOT NULL,
        input_json ${t.text} NOT NULL,
        response_json ${t.text} NOT NULL,
        error_json ${t.text} NOT NULL,
        owner ${t.key} NOT NULL,
        lease_until_ms ${t.int} NOT NULL,
        cancel_requested ${t.bool} NOT NULL,
        scheduled_ms ${t.int} NOT NULL
      )${t.tableOptions}`,
      'CREATE INDEX runs_by_state_seq ON runs (state, seq)',
      'CREATE INDEX runs_by_state_plan_start ON runs (state, plan_start_ms, seq)',
      `CREATE TABLE request_records (
        request_id ${t.key} PRIMARY KEY,
        method ${t.key} NOT NULL,
        fingerprint ${t.text} NOT NULL,
        response_json ${t.text} NOT NULL,
        created_ms ${t.int} NOT NULL
      )${t.tableOptions}`,
      'CREATE INDEX request_records_by_created ON request_records (created_ms)',
      `CREATE TABLE nightly_fires (
        schedule_key ${t.key} NOT NULL,
        fire_ms ${t.int} NOT NULL,
        run_id ${t.key} NOT NULL,
        PRIMARY KEY (schedule_key, fire_ms)
      )${t.tableOptions}`,
    ],
  },
  {
    version: 2,
    name: 'progress history: superseded versions of progress records',
    statements: (t) => [
      // A progress record replaced by a later report keeps its old version here, with the time it
      // was replaced, so that the accounts can be computed "as known at" an earlier time.
      `CREATE TABLE progress_superseded (
        job_id ${t.key} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        hour_ms ${t.int} NOT NULL,
        site_id ${t.key} NOT NULL,
        gpus ${t.float} NOT NULL,
        reported_ms ${t.int} NOT NULL,
        superseded_ms ${t.int} NOT NULL
      )${t.tableOptions}`,
      'CREATE INDEX progress_superseded_by_hour ON progress_superseded (hour_ms)',
      'CREATE INDEX progress_by_reported ON progress (reported_ms)',
    ],
  },
];

/** The schema version this code creates and understands: the last migration's. */
export const latestSchemaVersion = migrations[migrations.length - 1].version;

/** What a backend provides to migrate its database. */
export interface MigrationTarget {
  dialect: SqlDialect;
  /**
   * Runs `work` in one read-write transaction that holds the backend's migration lock (SQLite:
   * BEGIN IMMEDIATE; PostgreSQL: an advisory lock, with the schema created first), committing
   * when it resolves and rolling back when it rejects.
   */
  inMigrationTransaction(work: (db: SqlExecutor) => Promise<void>): Promise<void>;
}

/**
 * Brings the database to `latestSchemaVersion`, one transaction per migration, each recorded in
 * `schema_migrations (version, name, applied_ms)`. Safe when several processes open the same
 * database at once: each step re-reads the version under the lock, so a migration is applied once.
 * Throws CoschedError FAILED_PRECONDITION when the database is at a newer version than this code.
 * Returns the versions before and after.
 */
export async function migrate(target: MigrationTarget, list: readonly Migration[] = migrations): Promise<{ from: number; to: number }> {
  const t = dialectTypes[target.dialect];
  const latest = list.length === 0 ? 0 : list[list.length - 1].version;
  let from: number | undefined;
  let to = 0;
  for (;;) {
    let applied = false;
    await target.inMigrationTransaction(async (db) => {
      await db.run(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version ${t.int} PRIMARY KEY, name ${t.text} NOT NULL, applied_ms ${t.int} NOT NULL)`,
      );
      const rows = await db.query('SELECT MAX(version) AS v FROM schema_migrations');
      const current = rows[0]?.v === null || rows[0]?.v === undefined ? 0 : Number(rows[0].v);
      from ??= current;
      to = current;
      if (current > latest) {
        throw new CoschedError(
          'FAILED_PRECONDITION',
          `database schema version ${current} is newer than this cosched (${latest}); upgrade cosched or use another database`,
        );
      }
      const next = list.find((m) => m.version > current);
      if (!next) return;
      for (const statement of next.statements(t, target.dialect)) await db.run(statement);
      await db.run('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [next.version, next.name, Date.now()]);
      to = next.version;
      applied = true;
    });
    if (!applied) return { from: from ?? 0, to };
  }
}
