import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';
import { checkNumber } from '../data/checkNumber.js';
import { checkRequiredTimestamp } from '../data/checkRequiredTimestamp.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { formatUtcInstant } from '../data/formatUtcInstant.js';
import { idPattern } from '../data/IdRegistry.js';
import { timestampToMs } from '../data/timestampToMs.js';
import { ViolationList } from '../data/ViolationList.js';
import { Job, Site } from '../generated/cosched/v1/plan_request.js';
import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import {
  BacklogJob,
  PlanRunInput,
  ReportProgressResponse,
  SiteForecast,
  type BatchCreateJobsRequest,
  type BatchCreateSiteForecastsRequest,
  type CancelJobRequest,
  type Dispatch,
  type GetDispatchRequest,
  type ListJobsRequest,
  type ListJobsResponse,
  type ListSiteForecastsRequest,
  type ListSiteForecastsResponse,
  type ReportProgressRequest,
  type UpdateJobRequest,
} from '../generated/cosched/v1/standing_planner_service.js';
import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import { openJobStates, type JobState, type PlannerStore, type StoredForecast, type StoredJob, type StoreTx } from '../store/PlannerStore.js';
import { remainingTolerance } from './buildRunSnapshot.js';
import { decodePageToken, encodePageToken, pageSizeOf } from './pageTokens.js';
import { parseStateFilter } from './parseStateFilter.js';
import { forecastName, jobName, parseForecastName, parseJobName, parseSiteParent } from './resourceNames.js';
import { msToTimestamp, parseJobState, toBacklogJob, toJobStateEnum } from './toBacklogJob.js';
import { validateJobSpec } from './validateJobSpec.js';
import { validateSiteForecast } from './validateSiteForecast.js';
import { withRequestId } from './withRequestId.js';

const msPerHour = 3_600_000;
const maxBatchJobs = 10_000;
const maxProgressRecords = 100_000;
const maxProgressRecordHours = 100_000;
const maxRecordHours = 8_784;
const terminalStates: readonly JobState[] = ['done', 'cancelled', 'missed'];
const jobStateNames = ['PENDING', 'PLANNED', 'RUNNING', 'DONE', 'CANCELLED', 'MISSED'];
/** Spec fields UpdateJob may change, by proto and JSON name. */
const updatableSpecFields: Record<string, keyof Job> = {
  gpu_hours: 'gpuHours',
  max_gpus: 'maxGpus',
  min_gpus: 'minGpus',
  gpu_power_kw: 'gpuPowerKw',
  release: 'release',
  deadline: 'deadline',
  allowed_sites: 'allowedSites',
  home_site: 'homeSite',
  interruptible: 'interruptible',
};

/**
 * The standing planner's backlog, forecasts, dispatch and progress: the StandingPlannerService
 * methods other than plan runs (PlanRunner), over a PlannerStore. Every method is one store
 * transaction; every bad field is reported at once (INVALID_ARGUMENT with field paths in proto3
 * JSON names); unknown resources are NOT_FOUND, state conflicts FAILED_PRECONDITION, existing
 * ids and reused request ids ALREADY_EXISTS. `now` is the server's clock.
 */
export class StandingPlanner {
  constructor(
    private readonly store: PlannerStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Creates jobs, all or none (CreateJob is a batch of one with `path` 'job').
   * @throws INVALID_ARGUMENT (every bad field, `requests[i].job.<field>` or `job.<field>`),
   *   ALREADY_EXISTS for an id already in the backlog or repeated in the batch... (repeats are INVALID_ARGUMENT).
   */
  async createJobs(request: BatchCreateJobsRequest, single = false): Promise<BacklogJob[]> {
    const requests = Array.isArray(request.requests) ? request.requests : [];
    const violations = new ViolationList();
    const pathOf = (i: number) => (single ? 'job' : `requests[${i}].job`);
    if (requests.length === 0) violations.add('requests', 'got an empty list; expected 1..10,000 jobs');
    if (requests.length > maxBatchJobs) violations.add('requests', `got ${requests.length} jobs; expected at most ${maxBatchJobs} per batch`);
    const firstIndex = new Map<string, number>();
    requests.forEach((r, i) => {
      validateJobSpec(r.job, pathOf(i), violations);
      if (!single && r.requestId) violations.add(`requests[${i}].requestId`, `got ${describeJsonValue(r.requestId)}; expected empty (the batch's requestId covers it)`);
      const id = r.job?.id;
      if (typeof id === 'string' && id !== '') {
        const first = firstIndex.get(id);
        if (first !== undefined) violations.add(`${pathOf(i)}.id`, `got ${describeJsonValue(id)}, which is already the id of ${pathOf(first)}; expected a unique id`);
        else firstIndex.set(id, i);
      }
    });
    if (violations.length > 0) throw CoschedError.invalid(violations.items, single ? 'job' : 'batch of jobs', 'INVALID_REQUEST');
    const requestId = single ? requests[0].requestId : request.requestId;
    const method = single ? 'CreateJob' : 'BatchCreateJobs';
    const fingerprintJson = requests.map((r) => Job.toJSON(r.job as Job));
    return this.store.write((tx) =>
      withRequestId(tx, requestId, method, fingerprintJson, listCodec(BacklogJob), this.now(), async () => {
        const existing: FieldViolation[] = [];
        for (const [i, r] of requests.entries()) {
          const found = await tx.getJob((r.job as Job).id);
          if (found) existing.push({ field: `${pathOf(i)}.id`, description: `job ${found.id} already exists (state ${found.state.toUpperCase()}, created ${formatUtcInstant(found.createdMs)})` });
        }
        if (existing.length > 0) {
          throw new CoschedError('ALREADY_EXISTS', `${existing.length} job${existing.length === 1 ? '' : 's'} already exist${existing.length === 1 ? 's' : ''}:\n${existing.map((v) => `  ${v.field}: ${v.description}`).join('\n')}`, {
            violations: existing,
            reason: 'JOB_EXISTS',
          });
        }
        const nowMs = this.now();
        const created: BacklogJob[] = [];
        for (const r of requests) {
          const spec = r.job as Job;
          const stored = await tx.insertJob({
            id: spec.id,
            seq: 0,
            specJson: JSON.stringify(Job.toJSON(spec)),
            state: 'pending',
            stateReason: '',
            doneGpuHours: 0,
            planRunId: '',
            plannedJson: '[]',
            runningSite: '',
            createdMs: nowMs,
            updatedMs: nowMs,
          });
          created.push(toBacklogJob(stored));
        }
        return created;
      }),
    );
  }

  /** GetJob. @throws INVALID_ARGUMENT for a malformed name, NOT_FOUND for an unknown job. */
  async getJob(name: string): Promise<BacklogJob> {
    const id = parseJobName(name, 'name');
    return this.store.read(async (tx) => toBacklogJob(await requireJob(tx, id)));
  }

  /** ListJobs: creation order, pages of pageSize (default 100, at most 1,000), filtered by state. */
  async listJobs(request: ListJobsRequest): Promise<ListJobsResponse> {
    const states = parseStateFilter(request.filter, parseJobState, jobStateNames);
    const limit = pageSizeOf(request.pageSize);
    const query = `jobs|${(states ?? []).join(',')}`;
    const afterSeq = decodePageToken<number>(request.pageToken, query, 'number') ?? 0;
    return this.store.read(async (tx) => {
      const page = await tx.listJobs({ states, afterSeq, limit: limit + 1 });
      const more = page.length > limit;
      const jobs = page.slice(0, limit);
      return {
        jobs: jobs.map(toBacklogJob),
        nextPageToken: more ? encodePageToken(jobs[jobs.length - 1].seq, query) : '',
        totalSize: await tx.countJobs(states),
      };
    });
  }

  /**
   * UpdateJob: copies the masked spec fields (AIP-134; no mask: the fields set in job.spec) and
   * validates the result as a new job would be. @throws INVALID_ARGUMENT (bad paths or values),
   * NOT_FOUND, FAILED_PRECONDITION for a DONE, CANCELLED or MISSED job.
   */
  async updateJob(request: UpdateJobRequest): Promise<BacklogJob> {
    const id = parseJobName(request.job?.name, 'job.name');
    const given = request.job?.spec;
    if (!given) throw CoschedError.invalid([{ field: 'job.spec', description: 'got nothing; expected the spec fields to change' }], 'request', 'INVALID_REQUEST');
    const violations = new ViolationList();
    const fields = new Set<keyof Job>();
    const mask = request.updateMask ?? [];
    if (mask.length === 0) {
      for (const field of Object.values(updatableSpecFields)) if (isSet(given[field])) fields.add(field);
    }
    mask.forEach((path, k) => {
      const name = path.replace(/^spec\./, '');
      if (path === '*' || path === 'spec') {
        Object.values(updatableSpecFields).forEach((f) => fields.add(f));
        return;
      }
      const field = path.startsWith('spec.') ? (updatableSpecFields[name] ?? (Object.values(updatableSpecFields).includes(name as keyof Job) ? (name as keyof Job) : undefined)) : undefined;
      if (field === undefined) {
        const hint = path === 'spec.id' || path === 'name' ? ' (a job id cannot change: create a new job and cancel this one)' : '';
        violations.add(`updateMask.paths[${k}]`, `got ${describeJsonValue(path)}${hint}; expected spec.<field> with field one of ${Object.keys(updatableSpecFields).join(', ')}, or spec / *`);
      } else fields.add(field);
    });
    if (fields.size === 0 && violations.length === 0) violations.add('updateMask', 'names no field to change; expected paths such as spec.deadline');
    if (violations.length > 0) throw CoschedError.invalid(violations.items, 'job update', 'INVALID_REQUEST');
    return this.store.write(async (tx) => {
      const job = await requireJob(tx, id, 'job.name');
      requireOpen(job, 'updated', 'job.name');
      const spec = Job.fromJSON(JSON.parse(job.specJson));
      const updated: Job = { ...spec };
      for (const field of fields) (updated as unknown as Record<string, unknown>)[field] = given[field];
      updated.id = spec.id;
      const checks = new ViolationList();
      validateJobSpec(updated, 'job.spec', checks);
      if (checks.length > 0) throw CoschedError.invalid(checks.items, 'job update', 'INVALID_REQUEST');
      if (updated.gpuHours < job.doneGpuHours - remainingTolerance) {
        throw CoschedError.invalid([{ field: 'job.spec.gpuHours', description: `got ${updated.gpuHours}; ${job.doneGpuHours} GPU-hours are already reported done: expected at least that` }], 'job update', 'INVALID_REQUEST');
      }
      // The current plan was made for the old spec: it no longer holds (dispatch stops listing the
      // job) until the next run plans the new one.
      const next: StoredJob = {
        ...job,
        specJson: JSON.stringify(Job.toJSON(updated)),
        state: job.state === 'planned' ? 'pending' : job.state,
        stateReason: 'updated: the next run plans the new spec',
        planRunId: '',
        plannedJson: '[]',
        updatedMs: this.now(),
      };
      await tx.updateJob(next);
      return toBacklogJob(next);
    });
  }

  /**
   * DeleteJob: removes a job that never ran. @throws NOT_FOUND; FAILED_PRECONDITION for a job with
   * progress (its history backs the executed accounts: cancel it instead).
   */
  async deleteJob(name: string): Promise<void> {
    const id = parseJobName(name, 'name');
    await this.store.write(async (tx) => {
      const job = await requireJob(tx, id);
      const reported = (await tx.listProgress({ jobIds: [id] })).length;
      if (reported > 0 || job.doneGpuHours > 0) {
        const description = `${jobName(id)} has reported progress (${job.doneGpuHours} GPU-hours, state ${job.state.toUpperCase()}); its history backs the executed accounts: cancel it instead`;
        throw new CoschedError('FAILED_PRECONDITION', `job ${description}`, { reason: 'JOB_HAS_PROGRESS', violations: [{ field: 'name', description }] });
      }
      await tx.deleteJob(id);
    });
  }

  /** CancelJob. @throws NOT_FOUND; FAILED_PRECONDITION for a DONE or MISSED job (a CANCELLED one is returned as is). */
  async cancelJob(request: CancelJobRequest): Promise<BacklogJob> {
    const id = parseJobName(request.name, 'name');
    return this.store.write(async (tx) => {
      const job = await requireJob(tx, id);
      if (job.state === 'cancelled') return toBacklogJob(job);
      requireOpen(job, 'cancelled');
      const next: StoredJob = { ...job, state: 'cancelled', stateReason: request.reason || 'cancelled by a client', updatedMs: this.now() };
      await tx.updateJob(next);
      return toBacklogJob(next);
    });
  }

  /**
   * Puts forecasts, all or none, each as its site's next version (CreateSiteForecast is a batch
   * of one with `single`). @throws INVALID_ARGUMENT listing every bad field (a forecast of the
   * wrong length names the array), a site twice in one batch.
   */
  async putForecasts(request: BatchCreateSiteForecastsRequest, single = false): Promise<SiteForecast[]> {
    const requests = Array.isArray(request.requests) ? request.requests : [];
    const violations = new ViolationList();
    const pathOf = (i: number) => (single ? 'siteForecast' : `requests[${i}].siteForecast`);
    if (requests.length === 0) violations.add('requests', 'got an empty list; expected one forecast per site');
    const firstIndex = new Map<string, number>();
    const checked = requests.map((r, i) => {
      const facts = validateSiteForecast(r.siteForecast, pathOf(i), violations);
      if (!single && r.requestId) violations.add(`requests[${i}].requestId`, `got ${describeJsonValue(r.requestId)}; expected empty (the batch's requestId covers it)`);
      if (facts.siteId !== '') {
        const first = firstIndex.get(facts.siteId);
        if (first !== undefined) violations.add(`${pathOf(i)}.site.id`, `got ${describeJsonValue(facts.siteId)} again (already ${pathOf(first)}); expected each site at most once per batch`);
        else firstIndex.set(facts.siteId, i);
      }
      return facts;
    });
    if (violations.length > 0) throw CoschedError.invalid(violations.items, single ? 'site forecast' : 'batch of site forecasts', 'INVALID_REQUEST');
    const requestId = single ? requests[0].requestId : request.requestId;
    const fingerprintJson = requests.map((r) => SiteForecast.toJSON({ ...(r.siteForecast as SiteForecast), name: '', version: 0, createTime: undefined }));
    return this.store.write((tx) =>
      withRequestId(tx, requestId, single ? 'CreateSiteForecast' : 'BatchCreateSiteForecasts', fingerprintJson, listCodec(SiteForecast), this.now(), async () => {
        const nowMs = this.now();
        const created: SiteForecast[] = [];
        for (const [i, r] of requests.entries()) {
          const site = r.siteForecast?.site as Site;
          const stored = await tx.insertForecast({
            siteId: checked[i].siteId,
            startMs: checked[i].startMs,
            hours: checked[i].hours,
            siteJson: JSON.stringify(Site.toJSON(site)),
            source: r.siteForecast?.source ?? '',
            createdMs: nowMs,
          });
          created.push(toSiteForecast(stored));
        }
        return created;
      }),
    );
  }

  /** GetSiteForecast (`.../latest` for the newest). @throws INVALID_ARGUMENT, NOT_FOUND. */
  async getForecast(name: string): Promise<SiteForecast> {
    const { siteId, version } = parseForecastName(name);
    return this.store.read(async (tx) => {
      const found = await tx.getForecast(siteId, version);
      if (!found) {
        const latest = version === 'latest' ? undefined : await tx.getForecast(siteId, 'latest');
        const hint = latest ? ` (its latest is version ${latest.version})` : ' (the site has no forecast)';
        throw new CoschedError('NOT_FOUND', `site forecast ${name} not found${hint}`, { reason: 'FORECAST_NOT_FOUND' });
      }
      return toSiteForecast(found);
    });
  }

  /** ListSiteForecasts: newest first, one site (`sites/{site}`) or all (`sites/-`). */
  async listForecasts(request: ListSiteForecastsRequest): Promise<ListSiteForecastsResponse> {
    const siteId = parseSiteParent(request.parent);
    const limit = pageSizeOf(request.pageSize);
    const query = `forecasts|${siteId ?? '-'}|${request.latestOnly ? 'latest' : 'all'}`;
    const beforeKey = decodePageToken<string>(request.pageToken, query, 'string');
    return this.store.read(async (tx) => {
      const page = await tx.listForecasts({ siteId, latestOnly: request.latestOnly, beforeKey, limit: limit + 1 });
      const more = page.length > limit;
      const forecasts = page.slice(0, limit);
      return { siteForecasts: forecasts.map(toSiteForecast), nextPageToken: more ? encodePageToken(forecasts[forecasts.length - 1].listKey, query) : '' };
    });
  }

  /**
   * ReportProgress: validates every record (job name, site among the job's allowed sites, start a
   * whole past hour, hours 1..8784, gpus 0..maxGpus), then, in one transaction, replaces the
   * records of the same job, site and hour, recomputes each job's done GPU-hours and moves it to
   * RUNNING, or DONE when its work is all reported or a record says `finished`.
   * @throws INVALID_ARGUMENT for bad records (every one), NOT_FOUND naming unknown jobs,
   *   FAILED_PRECONDITION naming jobs already DONE, CANCELLED or MISSED, INVALID_ARGUMENT when a
   *   job's reported work would exceed its gpuHours.
   */
  async reportProgress(request: ReportProgressRequest): Promise<ReportProgressResponse> {
    const records = Array.isArray(request.records) ? request.records : [];
    const violations = new ViolationList();
    const nowMs = this.now();
    if (records.length === 0) violations.add('records', 'got an empty list; expected at least one progress record');
    if (records.length > maxProgressRecords) violations.add('records', `got ${records.length} records; expected at most ${maxProgressRecords}`);
    let recordHours = 0;
    for (const r of records) recordHours += Number.isInteger(r?.hours) && r.hours > 0 ? r.hours : 1;
    if (recordHours > maxProgressRecordHours) {
      violations.add('records', `got ${recordHours} record-hours (the sum of hours); expected at most ${maxProgressRecordHours} per call: split the report`);
    }
    const parsed = records.map((r, i) => {
      const path = `records[${i}]`;
      let jobId = '';
      try {
        jobId = parseJobName(r.job, `${path}.job`, { bareId: true });
      } catch (error) {
        if (!(error instanceof CoschedError)) throw error;
        for (const v of error.violations) violations.add(v.field, v.description);
      }
      if (typeof r.siteId !== 'string' || !idPattern.test(r.siteId)) violations.add(`${path}.siteId`, `got ${describeJsonValue(r.siteId)}; expected a site id`);
      const startMs = checkRequiredTimestamp(r.start, `${path}.start`, 'start', violations);
      const hours = r.hours === 0 || r.hours === undefined ? 1 : r.hours;
      const hoursOk = checkNumber(hours, { integer: true, min: 1, max: maxRecordHours }, `${path}.hours`, violations);
      checkNumber(r.gpus, { min: 0, unit: 'GPUs' }, `${path}.gpus`, violations);
      if (startMs !== undefined) {
        if (startMs % msPerHour !== 0) violations.add(`${path}.start`, `got ${formatUtcInstant(startMs)}; expected a whole UTC hour`);
        else if (hoursOk && startMs + hours * msPerHour > nowMs) {
          violations.add(`${path}.start`, `got ${formatUtcInstant(startMs)} + ${hours} h, which ends after now (${formatUtcInstant(nowMs)}); expected hours that are over (progress is what ran)`);
        }
      }
      return { jobId, siteId: r.siteId, startMs: startMs ?? 0, hours, gpus: r.gpus, finished: r.finished === true, path };
    });
    if (violations.length > 0) throw CoschedError.invalid(violations.items, 'progress report', 'INVALID_REQUEST');
    const jobIds = [...new Set(parsed.map((r) => r.jobId))];
    const fingerprintJson = records.map((r) => ({ ...r }));
    return this.store.write((tx) =>
      withRequestId(tx, request.requestId, 'ReportProgress', fingerprintJson, ReportProgressResponse, nowMs, async () => {
        const jobs = new Map<string, StoredJob>();
        const unknown: FieldViolation[] = [];
        const closed: FieldViolation[] = [];
        for (const id of jobIds) {
          const job = await tx.getJob(id);
          const paths = parsed.filter((r) => r.jobId === id).map((r) => `${r.path}.job`);
          // A MISSED job may still report what it did (it may have run on, or finished just at its deadline).
          if (!job) unknown.push(...paths.map((field) => ({ field, description: `${jobName(id)}: no such job` })));
          else if (job.state === 'done' || job.state === 'cancelled') closed.push(...paths.map((field) => ({ field, description: `${jobName(id)} is ${job.state.toUpperCase()}` })));
          else jobs.set(id, job);
        }
        if (unknown.length > 0) {
          throw new CoschedError('NOT_FOUND', `progress for unknown job${unknown.length === 1 ? '' : 's'}: ${[...new Set(unknown.map((v) => v.description.split(':')[0]))].join(', ')}`, {
            reason: 'JOB_NOT_FOUND',
            violations: unknown,
          });
        }
        if (closed.length > 0) {
          throw new CoschedError('FAILED_PRECONDITION', `progress can be reported only for jobs not DONE or CANCELLED: ${[...new Set(closed.map((v) => v.description))].join('; ')}`, {
            reason: 'JOB_CLOSED',
            violations: closed,
          });
        }
        // Stamped inside the (serialised) transaction, so that a run's snapshot time orders it.
        const reportedMs = this.now();
        const checks = new ViolationList();
        for (const r of parsed) {
          const spec = Job.fromJSON(JSON.parse((jobs.get(r.jobId) as StoredJob).specJson));
          if (spec.allowedSites.length > 0 && !spec.allowedSites.includes(r.siteId)) {
            checks.add(`${r.path}.siteId`, `got ${describeJsonValue(r.siteId)}; job ${r.jobId} may run only at ${spec.allowedSites.join(', ')}`);
          }
          if (r.gpus > spec.maxGpus) checks.add(`${r.path}.gpus`, `got ${r.gpus}; job ${r.jobId} uses at most maxGpus ${spec.maxGpus}`);
        }
        if (checks.length > 0) throw CoschedError.invalid(checks.items, 'progress report', 'INVALID_REQUEST');
        await tx.upsertProgress(
          parsed.flatMap((r) => Array.from({ length: r.hours }, (_, k) => ({ jobId: r.jobId, siteId: r.siteId, hourMs: r.startMs + k * msPerHour, gpus: r.gpus, reportedMs }))),
        );
        const done = await tx.doneGpuHours(jobIds);
        const updated: BacklogJob[] = [];
        for (const id of jobIds) {
          const job = jobs.get(id) as StoredJob;
          const spec = Job.fromJSON(JSON.parse(job.specJson));
          const doneGpuHours = done.get(id) ?? 0;
          if (doneGpuHours > spec.gpuHours + remainingTolerance) {
            const paths = parsed.filter((r) => r.jobId === id).map((r) => r.path);
            throw CoschedError.invalid(
              paths.map((path) => ({ field: `${path}.gpus`, description: `brings job ${id} to ${round(doneGpuHours)} GPU-hours done, more than its gpuHours ${spec.gpuHours}; expected at most that in all (raise spec.gpuHours with UpdateJob first if the job needs more)` })),
              'progress report',
            );
          }
          const finished = parsed.some((r) => r.jobId === id && r.finished) || doneGpuHours >= spec.gpuHours - remainingTolerance;
          let latest: { siteId: string; hourMs: number } | undefined;
          for (const row of await tx.listProgress({ jobIds: [id] })) if (row.gpus > 0 && (!latest || row.hourMs >= latest.hourMs)) latest = row;
          let state = job.state;
          let stateReason = job.stateReason;
          if (finished) {
            state = 'done';
            stateReason = `finished: ${round(doneGpuHours)} of ${spec.gpuHours} GPU-hours reported`;
          } else if (job.state !== 'missed' && doneGpuHours > 0) {
            state = 'running';
            stateReason = '';
          }
          const next: StoredJob = {
            ...job,
            doneGpuHours,
            state,
            stateReason,
            runningSite: !spec.interruptible && latest && !finished ? latest.siteId : job.runningSite,
            updatedMs: reportedMs,
          };
          await tx.updateJob(next);
          updated.push(toBacklogJob(next));
        }
        return { jobs: updated };
      }),
    );
  }

  /**
   * GetDispatch: what the plan in force runs at the site in the hour. The plan in force is the
   * newest succeeded run whose plan starts at or before the hour (a newer plan replaces an older
   * one whole, even where it is shorter); jobs are listed only while open and while that run is
   * their current plan (a job updated or re-planned since is not). Empty, with a `note`, when no
   * run's plan starts by then or the hour is past its horizon. @throws INVALID_ARGUMENT for a bad
   * site id or hour, NOT_FOUND for a site that has no forecast.
   */
  async dispatch(request: GetDispatchRequest): Promise<Dispatch> {
    const siteId = request.siteId;
    const violations = new ViolationList();
    if (typeof siteId !== 'string' || !idPattern.test(siteId)) violations.add('siteId', `got ${describeJsonValue(siteId)}; expected a site id`);
    let hourMs = this.now();
    if (request.hour !== undefined) hourMs = checkRequiredTimestamp(request.hour, 'hour', 'hour', violations) ?? hourMs;
    if (violations.length > 0) throw CoschedError.invalid(violations.items, 'dispatch request', 'INVALID_REQUEST');
    hourMs = Math.floor(hourMs / msPerHour) * msPerHour;
    return this.store.read(async (tx) => {
      if (!(await tx.getForecast(siteId, 'latest'))) {
        throw new CoschedError('NOT_FOUND', `site ${siteId} not found: it has no forecast (put one first)`, {
          reason: 'SITE_NOT_FOUND',
          violations: [{ field: 'siteId', description: `${JSON.stringify(siteId)} has no forecast` }],
        });
      }
      const empty: Dispatch = { siteId, hour: msToTimestamp(hourMs), planRun: '', entries: [], gpus: 0, gpuCapacity: 0, note: '' };
      const run = await tx.latestSucceededRunBefore(hourMs + 1);
      if (!run) return { ...empty, note: `no plan starts at or before ${formatUtcInstant(hourMs)}: start a run` };
      const { response, input } = this.parsedRun(run.id, run.responseJson, run.inputJson);
      const site = input.request?.sites.find((s) => s.id === siteId);
      const result: Dispatch = { ...empty, planRun: `operations/${run.id}`, gpuCapacity: site?.gpuCapacity ?? 0 };
      if (hourMs >= run.horizonEndMs) return { ...result, note: `the plan of operations/${run.id} ends at ${formatUtcInstant(run.horizonEndMs)}: start a new run` };
      if (!site) return { ...result, note: `site ${siteId} is not in the plan of operations/${run.id} (no forecast covered its start)` };
      for (const plan of response.jobs) {
        let gpus = 0;
        for (const a of plan.allocations) {
          const startMs = timestampToMs(a.start as Timestamp) as number;
          if (a.siteId === siteId && startMs <= hourMs && hourMs < startMs + a.hours * msPerHour) gpus += a.gpus;
        }
        if (gpus <= 0) continue;
        const job = await tx.getJob(plan.jobId);
        if (!job || !openJobStates.includes(job.state) || job.planRunId !== run.id) continue;
        const spec = Job.fromJSON(JSON.parse(job.specJson));
        result.entries.push({ job: jobName(job.id), gpus, state: toJobStateEnum(job.state), interruptible: spec.interruptible });
        result.gpus += gpus;
      }
      return result;
    });
  }

  private cache: { runId: string; response: PlanResponse; input: PlanRunInput } | undefined;

  /** The run's response and input, parsed once per run (dispatch asks for the same run often). */
  private parsedRun(runId: string, responseJson: string, inputJson: string): { response: PlanResponse; input: PlanRunInput } {
    if (this.cache?.runId !== runId) {
      this.cache = { runId, response: PlanResponse.fromJSON(JSON.parse(responseJson || '{}')), input: PlanRunInput.fromJSON(JSON.parse(inputJson || '{}')) };
    }
    return this.cache;
  }
}

/** The job, or NOT_FOUND. */
export async function requireJob(tx: StoreTx, id: string, field = 'name'): Promise<StoredJob> {
  const job = await tx.getJob(id);
  if (!job) {
    throw new CoschedError('NOT_FOUND', `job ${jobName(id)} not found`, { reason: 'JOB_NOT_FOUND', violations: [{ field, description: `${jobName(id)}: no such job` }] });
  }
  return job;
}

function requireOpen(job: StoredJob, what: string, field = 'name'): void {
  if (terminalStates.includes(job.state)) {
    const description = `${jobName(job.id)} is ${job.state.toUpperCase()}${job.stateReason ? ` (${job.stateReason})` : ''}; only PENDING, PLANNED or RUNNING jobs can be ${what}`;
    throw new CoschedError('FAILED_PRECONDITION', `job ${description}`, { reason: 'JOB_CLOSED', violations: [{ field, description }] });
  }
}

/** The SiteForecast resource of a stored forecast. */
export function toSiteForecast(stored: StoredForecast): SiteForecast {
  return {
    name: forecastName(stored.siteId, stored.version),
    site: Site.fromJSON(JSON.parse(stored.siteJson)),
    start: msToTimestamp(stored.startMs),
    version: stored.version,
    createTime: msToTimestamp(stored.createdMs),
    source: stored.source,
  };
}

function listCodec<T>(codec: { toJSON(value: T): unknown; fromJSON(json: unknown): T }) {
  return {
    toJSON: (list: T[]) => list.map((item) => codec.toJSON(item)),
    fromJSON: (json: unknown) => (json as unknown[]).map((item) => codec.fromJSON(item)),
  };
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return false;
  return !(Array.isArray(value) && value.length === 0);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

