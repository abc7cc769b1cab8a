import { CoschedError } from '../../solver/errors/CoschedError.js';
import type {
  JobState,
  NewForecast,
  ProgressRecordRow,
  RequestRecord,
  RunState,
  StoredForecast,
  StoredJob,
  StoredRun,
  StoreTx,
} from './PlannerStore.js';
import { placeholders, type SqlExecutor, type SqlRow, type SqlValue } from './SqlExecutor.js';

/** Ids per IN list: far below SQLite's and PostgreSQL's bound-parameter limits. */
const inListChunk = 500;
/** Progress rows per multi-row statement (5 parameters each). */
const progressChunk = 400;
const hourMs = 3_600_000;

const jobColumns =
  'id, seq, spec_json, state, state_reason, done_gpu_hours, plan_run_id, planned_json, running_site, created_ms, updated_ms';
const forecastColumns = 'site_id, version, start_ms, hours, site_json, source, created_ms, list_key';
const progressColumns = 'job_id, site_id, hour_ms, gpus, reported_ms';
const runColumns =
  'id, seq, state, run_trigger, created_ms, now_ms, plan_start_ms, horizon_end_ms, params_json, metadata_json, input_json, ' +
  'response_json, error_json, owner, lease_until_ms, cancel_requested, scheduled_ms';
const requestColumns = 'request_id, method, fingerprint, response_json, created_ms';

/**
 * The one SQL implementation of StoreTx, for both SQLite and PostgreSQL: portable SQL with `?`
 * placeholders over a SqlExecutor bound to the current transaction (see migrations.ts for the
 * tables). Sequence numbers (job seq, run seq, per-site forecast versions) come from the
 * `counters` table, incremented inside the caller's write transaction, which is serialised, so
 * they are gap-free in commit order and never reused (a counter row is never deleted).
 *
 * Beyond the interface: inserting an existing key (job id, run id, request id) throws
 * CoschedError ALREADY_EXISTS; updating a missing job or run throws NOT_FOUND; a limit < 1
 * returns no rows; an empty `jobIds` list in listProgress selects nothing.
 */
export class SqlStoreTx implements StoreTx {
  constructor(private readonly db: SqlExecutor) {}

  // ---- jobs ----

  async getJob(id: string): Promise<StoredJob | undefined> {
    const rows = await this.db.query(`SELECT ${jobColumns} FROM jobs WHERE id = ?`, [id]);
    return rows.length === 0 ? undefined : toJob(rows[0]);
  }

  async insertJob(job: StoredJob): Promise<StoredJob> {
    if ((await this.db.query('SELECT 1 AS found FROM jobs WHERE id = ?', [job.id])).length > 0) {
      throw new CoschedError('ALREADY_EXISTS', `job ${job.id} already exists`);
    }
    const seq = await this.nextCounter('job_seq');
    await this.db.run(`INSERT INTO jobs (${jobColumns}) VALUES (${placeholders(11)})`, [
      job.id,
      seq,
      job.specJson,
      job.state,
      job.stateReason,
      job.doneGpuHours,
      job.planRunId,
      job.plannedJson,
      job.runningSite,
      job.createdMs,
      job.updatedMs,
    ]);
    return { ...job, seq };
  }

  async updateJob(job: StoredJob): Promise<void> {
    const { changes } = await this.db.run(
      'UPDATE jobs SET spec_json = ?, state = ?, state_reason = ?, done_gpu_hours = ?, plan_run_id = ?, planned_json = ?, ' +
        'running_site = ?, updated_ms = ? WHERE id = ?',
      [job.specJson, job.state, job.stateReason, job.doneGpuHours, job.planRunId, job.plannedJson, job.runningSite, job.updatedMs, job.id],
    );
    if (changes === 0) throw new CoschedError('NOT_FOUND', `job ${job.id} not found`);
  }

  async listJobs(query: { states?: readonly JobState[]; afterSeq: number; limit: number }): Promise<StoredJob[]> {
    if (!(query.limit >= 1)) return [];
    const params: SqlValue[] = [query.afterSeq];
    let where = 'seq > ?';
    if (query.states && query.states.length > 0) {
      where += ` AND state IN (${placeholders(query.states.length)})`;
      params.push(...query.states);
    }
    params.push(Math.floor(query.limit));
    const rows = await this.db.query(`SELECT ${jobColumns} FROM jobs WHERE ${where} ORDER BY seq LIMIT ?`, params);
    return rows.map(toJob);
  }

  async countJobs(states?: readonly JobState[]): Promise<number> {
    const rows =
      states && states.length > 0
        ? await this.db.query(`SELECT COUNT(*) AS n FROM jobs WHERE state IN (${placeholders(states.length)})`, [...states])
        : await this.db.query('SELECT COUNT(*) AS n FROM jobs');
    return Number(rows[0].n);
  }

  // ---- site forecasts ----

  async insertForecast(forecast: NewForecast): Promise<StoredForecast> {
    if (!Number.isSafeInteger(forecast.createdMs) || forecast.createdMs < 0 || forecast.createdMs >= 1e15) {
      throw new CoschedError('INTERNAL', `forecast createdMs ${forecast.createdMs} is not a whole millisecond time in [0, 1e15)`);
    }
    const version = await this.nextCounter(`forecast_version:${forecast.siteId}`);
    const listKey = forecastListKey(forecast.createdMs, forecast.siteId, version);
    await this.db.run(`INSERT INTO forecasts (${forecastColumns}) VALUES (${placeholders(8)})`, [
      forecast.siteId,
      version,
      forecast.startMs,
      forecast.hours,
      forecast.siteJson,
      forecast.source,
      forecast.createdMs,
      listKey,
    ]);
    return { ...forecast, version, listKey };
  }

  async getForecast(siteId: string, version: number | 'latest'): Promise<StoredForecast | undefined> {
    const rows =
      version === 'latest'
        ? await this.db.query(`SELECT ${forecastColumns} FROM forecasts WHERE site_id = ? ORDER BY version DESC LIMIT 1`, [siteId])
        : await this.db.query(`SELECT ${forecastColumns} FROM forecasts WHERE site_id = ? AND version = ?`, [siteId, version]);
    return rows.length === 0 ? undefined : toForecast(rows[0]);
  }

  async listForecasts(query: { siteId?: string; latestOnly?: boolean; beforeKey?: string; limit: number }): Promise<StoredForecast[]> {
    if (!(query.limit >= 1)) return [];
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.siteId !== undefined) {
      conditions.push('f.site_id = ?');
      params.push(query.siteId);
    }
    if (query.beforeKey !== undefined) {
      conditions.push('f.list_key < ?');
      params.push(query.beforeKey);
    }
    if (query.latestOnly) conditions.push(latestVersionCondition);
    params.push(Math.floor(query.limit));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.db.query(`SELECT ${prefixed('f', forecastColumns)} FROM forecasts f ${where} ORDER BY f.list_key DESC LIMIT ?`, params);
    return rows.map(toForecast);
  }

  async latestForecasts(): Promise<StoredForecast[]> {
    const rows = await this.db.query(
      `SELECT ${prefixed('f', forecastColumns)} FROM forecasts f WHERE ${latestVersionCondition} ORDER BY f.site_id`,
    );
    return rows.map(toForecast);
  }

  async forecastsOverlapping(fromMs: number, toMs: number): Promise<StoredForecast[]> {
    const rows = await this.db.query(
      `SELECT ${forecastColumns} FROM forecasts WHERE start_ms < ? AND start_ms + hours * ${hourMs} > ? ORDER BY site_id, version`,
      [toMs, fromMs],
    );
    return rows.map(toForecast);
  }

  // ---- progress reports ----

  async upsertProgress(records: readonly ProgressRecordRow[]): Promise<void> {
    // One version per key (the last given wins), so that a multi-row upsert never meets a key twice.
    const byKey = new Map<string, ProgressRecordRow>();
    for (const r of records) byKey.set(`${r.jobId}\u0000${r.hourMs}\u0000${r.siteId}`, r);
    const rows = [...byKey.values()];
    for (const chunk of chunks(rows, progressChunk)) {
      // Keep the versions being replaced, stamped with when they were replaced.
      const keys = chunk.map(() => '(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT))').join(', ');
      const keyParams = chunk.flatMap((r) => [r.jobId, r.hourMs, r.siteId]);
      await this.db.run(
        'INSERT INTO progress_superseded (job_id, hour_ms, site_id, gpus, reported_ms, superseded_ms) ' +
          `SELECT job_id, hour_ms, site_id, gpus, reported_ms, ? FROM progress WHERE (job_id, hour_ms, site_id) IN (VALUES ${keys})`,
        [chunk[0].reportedMs, ...keyParams],
      );
      await this.db.run(
        `INSERT INTO progress (${progressColumns}) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')} ` +
          'ON CONFLICT (job_id, hour_ms, site_id) DO UPDATE SET gpus = excluded.gpus, reported_ms = excluded.reported_ms',
        chunk.flatMap((r) => [r.jobId, r.siteId, r.hourMs, r.gpus, r.reportedMs]),
      );
    }
  }

  async listProgress(query: { jobIds?: readonly string[]; fromMs?: number; toMs?: number; asOfMs?: number; changedAfterMs?: number }): Promise<ProgressRecordRow[]> {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.fromMs !== undefined) {
      conditions.push('hour_ms >= ?');
      params.push(query.fromMs);
    }
    if (query.toMs !== undefined) {
      conditions.push('hour_ms < ?');
      params.push(query.toMs);
    }
    if (query.changedAfterMs !== undefined) {
      conditions.push('reported_ms > ?');
      params.push(query.changedAfterMs);
    }
    const select = (extra: string[], extraParams: SqlValue[]) => {
      const all = [...extra, ...conditions];
      const where = (more: string[]) => {
        const list = [...more, ...all];
        return list.length > 0 ? `WHERE ${list.join(' AND ')}` : '';
      };
      if (query.asOfMs === undefined) {
        return this.db.query(`SELECT ${progressColumns} FROM progress ${where([])} ORDER BY job_id, hour_ms, site_id`, [...extraParams, ...params]);
      }
      // The version in force at asOfMs: the current one if reported by then, else the superseded
      // one reported by then and replaced after.
      const asOf = query.asOfMs;
      return this.db.query(
        `SELECT ${progressColumns} FROM (` +
          `SELECT ${progressColumns} FROM progress ${where(['reported_ms <= ?'])} ` +
          'UNION ALL ' +
          `SELECT ${progressColumns} FROM progress_superseded ${where(['reported_ms <= ?', 'superseded_ms > ?'])}` +
          ') AS versions ORDER BY job_id, hour_ms, site_id',
        [asOf, ...extraParams, ...params, asOf, asOf, ...extraParams, ...params],
      );
    };
    if (query.jobIds === undefined) return (await select([], [])).map(toProgress);
    const out: ProgressRecordRow[] = [];
    // Chunks of ids in byte order, so concatenating their ordered results keeps the global order.
    for (const chunk of chunks(uniqueInByteOrder(query.jobIds), inListChunk)) {
      const rows = await select([`job_id IN (${placeholders(chunk.length)})`], chunk);
      for (const row of rows) out.push(toProgress(row));
    }
    return out;
  }

  async doneGpuHours(jobIds: readonly string[]): Promise<Map<string, number>> {
    const done = new Map<string, number>();
    for (const id of jobIds) done.set(id, 0);
    for (const chunk of chunks(uniqueInByteOrder(jobIds), inListChunk)) {
      const rows = await this.db.query(
        `SELECT job_id, SUM(gpus) AS total FROM progress WHERE job_id IN (${placeholders(chunk.length)}) GROUP BY job_id`,
        chunk,
      );
      for (const row of rows) done.set(String(row.job_id), Number(row.total));
    }
    return done;
  }

  // ---- plan runs ----

  async insertRun(run: StoredRun): Promise<StoredRun> {
    if ((await this.db.query('SELECT 1 AS found FROM runs WHERE id = ?', [run.id])).length > 0) {
      throw new CoschedError('ALREADY_EXISTS', `run ${run.id} already exists`);
    }
    const seq = await this.nextCounter('run_seq');
    await this.db.run(`INSERT INTO runs (${runColumns}) VALUES (${placeholders(17)})`, [
      run.id,
      seq,
      run.state,
      run.trigger,
      run.createdMs,
      run.nowMs,
      run.planStartMs,
      run.horizonEndMs,
      run.paramsJson,
      run.metadataJson,
      run.inputJson,
      run.responseJson,
      run.errorJson,
      run.owner,
      run.leaseUntilMs,
      run.cancelRequested,
      run.scheduledMs,
    ]);
    return { ...run, seq };
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const rows = await this.db.query(`SELECT ${runColumns} FROM runs WHERE id = ?`, [id]);
    return rows.length === 0 ? undefined : toRun(rows[0]);
  }

  async updateRun(run: StoredRun): Promise<void> {
    const { changes } = await this.db.run(
      'UPDATE runs SET state = ?, run_trigger = ?, now_ms = ?, plan_start_ms = ?, horizon_end_ms = ?, params_json = ?, ' +
        'metadata_json = ?, input_json = ?, response_json = ?, error_json = ?, owner = ?, lease_until_ms = ?, ' +
        'cancel_requested = ?, scheduled_ms = ? WHERE id = ?',
      [
        run.state,
        run.trigger,
        run.nowMs,
        run.planStartMs,
        run.horizonEndMs,
        run.paramsJson,
        run.metadataJson,
        run.inputJson,
        run.responseJson,
        run.errorJson,
        run.owner,
        run.leaseUntilMs,
        run.cancelRequested,
        run.scheduledMs,
        run.id,
      ],
    );
    if (changes === 0) throw new CoschedError('NOT_FOUND', `run ${run.id} not found`);
  }

  async deleteJob(id: string): Promise<boolean> {
    const { changes } = await this.db.run('DELETE FROM jobs WHERE id = ?', [id]);
    return changes > 0;
  }

  async deleteRun(id: string): Promise<boolean> {
    const { changes } = await this.db.run('DELETE FROM runs WHERE id = ?', [id]);
    return changes > 0;
  }

  async listRuns(query: { states?: readonly RunState[]; beforeSeq?: number; limit: number }): Promise<StoredRun[]> {
    if (!(query.limit >= 1)) return [];
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.beforeSeq !== undefined) {
      conditions.push('seq < ?');
      params.push(query.beforeSeq);
    }
    if (query.states && query.states.length > 0) {
      conditions.push(`state IN (${placeholders(query.states.length)})`);
      params.push(...query.states);
    }
    params.push(Math.floor(query.limit));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.db.query(`SELECT ${runColumns} FROM runs ${where} ORDER BY seq DESC LIMIT ?`, params);
    return rows.map(toRun);
  }

  async runsWithExpiredLease(nowMs: number): Promise<StoredRun[]> {
    const rows = await this.db.query(`SELECT ${runColumns} FROM runs WHERE state IN (?, ?) AND lease_until_ms < ? ORDER BY seq`, [
      'queued',
      'running',
      nowMs,
    ]);
    return rows.map(toRun);
  }

  async latestSucceededRunBefore(beforeMs: number): Promise<StoredRun | undefined> {
    const rows = await this.db.query(
      `SELECT ${runColumns} FROM runs WHERE state = ? AND plan_start_ms < ? ORDER BY plan_start_ms DESC, seq DESC LIMIT 1`,
      ['succeeded', beforeMs],
    );
    return rows.length === 0 ? undefined : toRun(rows[0]);
  }

  // ---- idempotency ----

  async getRequestRecord(requestId: string): Promise<RequestRecord | undefined> {
    const rows = await this.db.query(`SELECT ${requestColumns} FROM request_records WHERE request_id = ?`, [requestId]);
    return rows.length === 0 ? undefined : toRequestRecord(rows[0]);
  }

  async pruneRequestRecords(beforeMs: number): Promise<number> {
    const { changes } = await this.db.run('DELETE FROM request_records WHERE created_ms < ?', [beforeMs]);
    return changes;
  }

  async insertRequestRecord(record: RequestRecord): Promise<void> {
    if (await this.getRequestRecord(record.requestId)) {
      throw new CoschedError('ALREADY_EXISTS', `request id ${record.requestId} was already used`);
    }
    await this.db.run(`INSERT INTO request_records (${requestColumns}) VALUES (?, ?, ?, ?, ?)`, [
      record.requestId,
      record.method,
      record.fingerprint,
      record.responseJson,
      record.createdMs,
    ]);
  }

  // ---- nightly schedule ----

  async claimNightlyFire(scheduleKey: string, fireMs: number, runId: string): Promise<boolean> {
    const { changes } = await this.db.run(
      'INSERT INTO nightly_fires (schedule_key, fire_ms, run_id) VALUES (?, ?, ?) ON CONFLICT (schedule_key, fire_ms) DO NOTHING',
      [scheduleKey, fireMs, runId],
    );
    return changes > 0;
  }

  async lastNightlyFire(scheduleKey: string): Promise<number | undefined> {
    const rows = await this.db.query('SELECT MAX(fire_ms) AS last FROM nightly_fires WHERE schedule_key = ?', [scheduleKey]);
    const last = rows[0]?.last;
    return last === null || last === undefined ? undefined : Number(last);
  }

  // ---- helpers ----

  /** Increments the named counter (creating it at 1) and returns its new value. */
  private async nextCounter(name: string): Promise<number> {
    const rows = await this.db.query(
      'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value',
      [name],
    );
    return Number(rows[0].value);
  }
}

/**
 * A forecast's listing key: createdMs zero-padded to 15 digits, '|', siteId, '|', version
 * zero-padded to 10 digits, compared bytewise. It orders like (createdMs, siteId, version) except
 * when one site id is a proper prefix of another that continues with a character below '|'
 * (e.g. 'a' and 'a-b': 'a|...' sorts after 'a-b|...'); listing always follows the key.
 */
export function forecastListKey(createdMs: number, siteId: string, version: number): string {
  return `${String(createdMs).padStart(15, '0')}|${siteId}|${String(version).padStart(10, '0')}`;
}

const latestVersionCondition = 'f.version = (SELECT MAX(m.version) FROM forecasts m WHERE m.site_id = f.site_id)';

function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Distinct strings sorted as the databases compare them (SQLite BINARY, PostgreSQL COLLATE "C"): UTF-8 bytes. */
function uniqueInByteOrder(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function toJob(r: SqlRow): StoredJob {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    specJson: String(r.spec_json),
    state: String(r.state) as JobState,
    stateReason: String(r.state_reason),
    doneGpuHours: Number(r.done_gpu_hours),
    planRunId: String(r.plan_run_id),
    plannedJson: String(r.planned_json),
    runningSite: String(r.running_site),
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
  };
}

function toForecast(r: SqlRow): StoredForecast {
  return {
    siteId: String(r.site_id),
    version: Number(r.version),
    startMs: Number(r.start_ms),
    hours: Number(r.hours),
    siteJson: String(r.site_json),
    source: String(r.source),
    createdMs: Number(r.created_ms),
    listKey: String(r.list_key),
  };
}

function toProgress(r: SqlRow): ProgressRecordRow {
  return {
    jobId: String(r.job_id),
    siteId: String(r.site_id),
    hourMs: Number(r.hour_ms),
    gpus: Number(r.gpus),
    reportedMs: Number(r.reported_ms),
  };
}

function toRun(r: SqlRow): StoredRun {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    state: String(r.state) as StoredRun['state'],
    trigger: String(r.run_trigger) as StoredRun['trigger'],
    createdMs: Number(r.created_ms),
    nowMs: Number(r.now_ms),
    planStartMs: Number(r.plan_start_ms),
    horizonEndMs: Number(r.horizon_end_ms),
    paramsJson: String(r.params_json),
    metadataJson: String(r.metadata_json),
    inputJson: String(r.input_json),
    responseJson: String(r.response_json),
    errorJson: String(r.error_json),
    owner: String(r.owner),
    leaseUntilMs: Number(r.lease_until_ms),
    cancelRequested: r.cancel_requested === true || Number(r.cancel_requested) === 1,
    scheduledMs: Number(r.scheduled_ms),
  };
}

function toRequestRecord(r: SqlRow): RequestRecord {
  return {
    requestId: String(r.request_id),
    method: String(r.method),
    fingerprint: String(r.fingerprint),
    responseJson: String(r.response_json),
    createdMs: Number(r.created_ms),
  };
}
