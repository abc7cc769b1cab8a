/**
 * The standing planner's store: one small interface, two real implementations (embedded SQLite,
 * the default; PostgreSQL for replicas sharing one database), both created by `openStore`.
 *
 * Every service call runs in exactly one transaction (`write` or `read`), so a call is applied
 * whole or not at all. Writers are serialised: SQLite by its single writer (and an in-process
 * queue), PostgreSQL by a transaction-scoped advisory lock, so read-modify-write logic inside
 * `write` sees no concurrent writer, on one server or on several sharing the database.
 *
 * Records are plain data. Protobuf messages (job specs, forecasts, run inputs and results) are
 * kept as proto3 JSON text produced and read by the service layer; the store never interprets them.
 * Times are epoch milliseconds (UTC).
 */
export interface PlannerStore {
  /** 'sqlite' or 'postgres'. */
  readonly kind: StoreKind;
  /** Where the data is, for logs: the SQLite file path, or the PostgreSQL URL without password. */
  readonly location: string;
  /**
   * Runs `work` in one read-write transaction and commits when it resolves; rolls back and
   * rethrows when it rejects. Transactions through `write` never overlap (see the interface doc).
   * `work` must use only `tx` for data access and must not start another transaction.
   */
  write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs `work` in one read-only transaction (a consistent snapshot). */
  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Closes the connection(s). Idempotent. */
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

/** The data access available inside a transaction. */
export interface StoreTx {
  // ---- jobs (the backlog) ----
  /** The job, or undefined. */
  getJob(id: string): Promise<StoredJob | undefined>;
  /** Inserts a new job; `seq` in the argument is ignored and assigned (creation order). Returns it with its seq. */
  insertJob(job: StoredJob): Promise<StoredJob>;
  /** Replaces every field of an existing job (by id) except `id`, `seq` and `createdMs`. */
  updateJob(job: StoredJob): Promise<void>;
  /** Deletes the job with its progress records; true when it existed. */
  deleteJob(id: string): Promise<boolean>;
  /** Jobs with seq > afterSeq (0: from the first), in seq order, at most `limit`; only `states` when given and non-empty. */
  listJobs(query: { states?: readonly JobState[]; afterSeq: number; limit: number }): Promise<StoredJob[]>;
  /** How many jobs are in `states` (all jobs when undefined or empty). */
  countJobs(states?: readonly JobState[]): Promise<number>;

  // ---- site forecasts (versioned) ----
  /**
   * Inserts a forecast as the site's next version (1 for its first) and returns it with that
   * version. Versions of one site are never reused, even after deletion.
   */
  insertForecast(forecast: NewForecast): Promise<StoredForecast>;
  /** One version, or the latest when `version` is 'latest'; undefined when there is none. */
  getForecast(siteId: string, version: number | 'latest'): Promise<StoredForecast | undefined>;
  /**
   * Forecasts newest first: ordered by createdMs descending, then siteId, then version
   * descending, i.e. by `listKey` descending; only those with listKey < `beforeKey` when given
   * (paging); only `siteId`'s when given; only each site's latest version when `latestOnly`.
   */
  listForecasts(query: { siteId?: string; latestOnly?: boolean; beforeKey?: string; limit: number }): Promise<StoredForecast[]>;
  /** The latest version of every site, ordered by siteId. */
  latestForecasts(): Promise<StoredForecast[]>;
  /** Every version of every site whose hours intersect [fromMs, toMs), ordered by siteId then version. */
  forecastsOverlapping(fromMs: number, toMs: number): Promise<StoredForecast[]>;

  // ---- progress reports (what actually ran) ----
  /**
   * Inserts each record, replacing an earlier one with the same (jobId, siteId, hourMs); the
   * replaced version is kept as history (superseded at the new record's reportedMs), for
   * listProgress `asOfMs`. Within one call the last record of a key wins.
   */
  upsertProgress(records: readonly ProgressRecordRow[]): Promise<void>;
  /**
   * Records with hourMs in [fromMs, toMs) (either bound optional), only `jobIds`' when given;
   * ordered by jobId, hourMs, siteId. The current version of each record, or with `asOfMs` the
   * version in force then (reported at or before it; a record first reported later is absent).
   * `changedAfterMs`: only records whose (current, or as-of) version was reported after it.
   */
  listProgress(query: { jobIds?: readonly string[]; fromMs?: number; toMs?: number; asOfMs?: number; changedAfterMs?: number }): Promise<ProgressRecordRow[]>;
  /** Sum of gpus over every record of each given job (0 for a job without records). */
  doneGpuHours(jobIds: readonly string[]): Promise<Map<string, number>>;

  // ---- plan runs (kept as long-running operations) ----
  /** Inserts a new run; `seq` ignored and assigned. Returns it with its seq. */
  insertRun(run: StoredRun): Promise<StoredRun>;
  /** The run, or undefined. */
  getRun(id: string): Promise<StoredRun | undefined>;
  /** Replaces every field of an existing run (by id) except `id`, `seq` and `createdMs`. */
  updateRun(run: StoredRun): Promise<void>;
  /** Deletes the run; true when it existed. */
  deleteRun(id: string): Promise<boolean>;
  /** Runs newest first (seq descending), seq < beforeSeq when given, at most `limit`; only `states` when given and non-empty. */
  listRuns(query: { states?: readonly RunState[]; beforeSeq?: number; limit: number }): Promise<StoredRun[]>;
  /** Runs in state 'queued' or 'running' whose leaseUntilMs < nowMs (their server stopped renewing). */
  runsWithExpiredLease(nowMs: number): Promise<StoredRun[]>;
  /**
   * The newest succeeded run (greatest planStartMs, then seq) with planStartMs < beforeMs: with
   * beforeMs = hour + 1, the plan in force for that hour (dispatch); with a plan start, the run a
   * new run replaces.
   */
  latestSucceededRunBefore(beforeMs: number): Promise<StoredRun | undefined>;

  // ---- idempotency (AIP-155 request ids) ----
  /** The record of an earlier call with this request id, or undefined. */
  getRequestRecord(requestId: string): Promise<RequestRecord | undefined>;
  /** Records a call's request id (in the same transaction as its effect). */
  insertRequestRecord(record: RequestRecord): Promise<void>;
  /** Forgets request ids recorded before `beforeMs`; returns how many. */
  pruneRequestRecords(beforeMs: number): Promise<number>;

  // ---- nightly schedule ----
  /**
   * Claims the nightly fire `(scheduleKey, fireMs)` for `runId`: true when this call inserted it,
   * false when it was already claimed (by this or another server sharing the database).
   */
  claimNightlyFire(scheduleKey: string, fireMs: number, runId: string): Promise<boolean>;
  /** The latest claimed fire time of the schedule, or undefined when it never fired. */
  lastNightlyFire(scheduleKey: string): Promise<number | undefined>;
}

/** A job's lifecycle state (JobState in the proto, lower case). */
export type JobState = 'pending' | 'planned' | 'running' | 'done' | 'cancelled' | 'missed';
/** The states a run still plans: not done, cancelled or missed. */
export const openJobStates: readonly JobState[] = ['pending', 'planned', 'running'];

export interface StoredJob {
  /** The job id (spec.id); the resource is `jobs/{id}`. */
  id: string;
  /** Creation order, assigned by the store (> 0). */
  seq: number;
  /** cosched.v1.Job as proto3 JSON text. */
  specJson: string;
  state: JobState;
  stateReason: string;
  /** Sum of the job's progress records (kept in step by the service in the same transaction). */
  doneGpuHours: number;
  /** The run whose plan is current for the job, '' before any. */
  planRunId: string;
  /** cosched.v1.Allocation[] of that plan for this job, as proto3 JSON text ('[]' when none). */
  plannedJson: string;
  /** A started non-interruptible job's site, '' otherwise. */
  runningSite: string;
  createdMs: number;
  updatedMs: number;
}

/** A forecast before the store numbers it. */
export interface NewForecast {
  siteId: string;
  /** Hour 0 of the arrays, on a whole UTC hour. */
  startMs: number;
  /** Length of the hourly arrays. */
  hours: number;
  /** cosched.v1.Site as proto3 JSON text (with its hourly arrays). */
  siteJson: string;
  source: string;
  createdMs: number;
}

export interface StoredForecast extends NewForecast {
  /** 1, 2, ... per site. */
  version: number;
  /**
   * Sort key for listing newest first: a string comparing like (createdMs, siteId, version),
   * e.g. createdMs zero-padded to 15 digits + '|' + siteId + '|' + version zero-padded to 10.
   */
  listKey: string;
}

export interface ProgressRecordRow {
  jobId: string;
  siteId: string;
  /** The hour's start (a whole UTC hour). */
  hourMs: number;
  /** GPUs in use in that hour (GPU-hours). */
  gpus: number;
  /** When it was reported. */
  reportedMs: number;
}

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'missed';
export type RunTrigger = 'api' | 'nightly';

export interface StoredRun {
  /** The run id; the operation is `operations/{id}`. */
  id: string;
  /** Creation order, assigned by the store. */
  seq: number;
  state: RunState;
  trigger: RunTrigger;
  createdMs: number;
  /** The run's clock and hour 0 of its plan (nowMs rounded down to the hour). */
  nowMs: number;
  planStartMs: number;
  /** One past the plan's last hour; equal to planStartMs until the snapshot is taken. */
  horizonEndMs: number;
  /** cosched.v1.StartPlanRunRequest as proto3 JSON text (the run's parameters). */
  paramsJson: string;
  /** cosched.v1.PlanRunMetadata as proto3 JSON text (progress, warnings, times...). */
  metadataJson: string;
  /** cosched.v1.PlanRunInput as proto3 JSON text; '' until the snapshot is taken. */
  inputJson: string;
  /** cosched.v1.PlanResponse as proto3 JSON text; '' unless succeeded. */
  responseJson: string;
  /** google.rpc.Status as proto3 JSON text; '' unless failed, cancelled or missed. */
  errorJson: string;
  /** The server replica running it, and until when its lease holds (renewed while it runs). */
  owner: string;
  leaseUntilMs: number;
  /** A CancelOperation arrived (the owner stops the solve when it sees it). */
  cancelRequested: boolean;
  /** Nightly runs: the scheduled fire time; 0 otherwise. */
  scheduledMs: number;
}

export interface RequestRecord {
  requestId: string;
  /** The RPC, e.g. 'CreateJob'. */
  method: string;
  /** A hash of the request without its request_id: the same id with another request is refused. */
  fingerprint: string;
  /** What to answer a retry with: the method's response as proto3 JSON text. */
  responseJson: string;
  createdMs: number;
}
