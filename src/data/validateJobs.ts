import type { JobData } from '../../solver/problem/Problem.js';
import type { Job } from '../generated/cosched/v1/plan_request.js';
import { IdRegistry } from './IdRegistry.js';
import { checkRequiredTimestamp } from './checkRequiredTimestamp.js';
import { checkNumber } from './checkNumber.js';
import { describeJsonValue } from './describeJsonValue.js';
import { formatUtcInstant } from './formatUtcInstant.js';
import { physicalBounds } from './physicalBounds.js';
import { suggestName, SuggestionBudget } from './suggestName.js';
import type { HorizonFacts, ValidatedSites } from './validateSites.js';
import type { ViolationList } from './ViolationList.js';

const msPerHour = 3_600_000;
const maxListedSiteIds = 10;
/** A day: a restore taking longer is not a checkpoint. */
const maxCheckpointMinutes = 1_440;

/**
 * Checks the request's jobs and converts them to JobData, adding every violation to `violations`
 * in request order: at least one job; ids (see IdRegistry); gpuHours in (0, 1e9]; maxGpus an
 * integer 1..1e6; minGpus, if set, an integer 0..maxGpus; gpuPowerKw in [0.001, 100] kW (bounds:
 * physicalBounds); release and
 * deadline present, valid, and deadline after release; allowedSites naming existing sites, each
 * once; homeSite present, an existing site, and one of allowedSites when that is non-empty;
 * checkpointMinutes, if set, in [0, 1440] and only on an interruptible job (a block never
 * restarts); splitSites true or false. minGpus on a non-interruptible job is accepted and honoured:
 * its block runs at maxGpus >= minGpus GPUs (the last hour may end mid-hour).
 * datasetGb, if set, in [0, 1e9] GB; dataSite empty (the home site) or an existing site (that a
 * link reaches the home site from it is validateLinks' rule).
 *
 * Conversion: release/deadline become horizon hours (releaseHour, deadlineHour; may be fractional
 * or outside the horizon) and the window rounds them inward and clips them to the horizon:
 * windowStart = clamp(ceil(releaseHour), 0, hours), windowEnd = clamp(floor(deadlineHour), 0,
 * hours). An empty window (windowEnd <= windowStart) is not a violation: the planner reports the
 * job's work as unmet. allowedSites become ascending site indices (all sites when empty); unset
 * minGpus becomes 0; datasetGb > 0 becomes `data` (with dataSite as an index, the home site when
 * empty), datasetGb unset or 0 leaves it out. The result is meaningful only when no violation was added anywhere.
 */
export function validateJobs(jobs: readonly Job[], sites: ValidatedSites, horizon: HorizonFacts, violations: ViolationList): JobData[] {
  const list: readonly unknown[] = Array.isArray(jobs) ? jobs : [];
  if (list.length === 0) violations.add('jobs', `got ${describeJsonValue(jobs)}; expected at least one job`);
  const records = list.map((job, i) => {
    if (job !== null && typeof job === 'object') return job as Partial<Job>;
    violations.add(`jobs[${i}]`, `got ${describeJsonValue(job)}; expected a job`);
    return {} as Partial<Job>;
  });
  const ids = new IdRegistry((i) => `jobs[${i}]`, violations);
  const hints = new SiteIdHints(sites);
  return records.map((job, i) => {
    ids.check(job.id, i);
    return validateJob(job, `jobs[${i}]`, sites, hints, horizon, violations);
  });
}

function validateJob(job: Partial<Job>, path: string, sites: ValidatedSites, hints: SiteIdHints, horizon: HorizonFacts, violations: ViolationList): JobData {
  checkNumber(job.gpuHours, { min: 0, minExclusive: true, max: physicalBounds.maxGpuHours, unit: 'GPU-hours' }, `${path}.gpuHours`, violations);
  const maxGpusOk = checkNumber(job.maxGpus, { integer: true, min: 1, max: physicalBounds.maxGpus }, `${path}.maxGpus`, violations);
  if (job.minGpus !== undefined && job.minGpus !== null) {
    const rule = maxGpusOk ? { integer: true, min: 0, max: job.maxGpus as number, note: 'at most maxGpus' } : { integer: true, min: 0, max: physicalBounds.maxGpus };
    checkNumber(job.minGpus, rule, `${path}.minGpus`, violations);
  }
  checkNumber(job.gpuPowerKw, { min: physicalBounds.minGpuPowerKw, max: physicalBounds.maxGpuPowerKw, unit: 'kW' }, `${path}.gpuPowerKw`, violations);
  if (job.interruptible !== undefined && typeof job.interruptible !== 'boolean') {
    violations.add(`${path}.interruptible`, `got ${describeJsonValue(job.interruptible)}; expected true or false`);
  }
  const checkpointMinutes = checkCheckpointMinutes(job, path, violations);
  if (job.splitSites !== undefined && typeof job.splitSites !== 'boolean') {
    violations.add(`${path}.splitSites`, `got ${describeJsonValue(job.splitSites)}; expected true or false`);
  }

  const releaseMs = checkRequiredTimestamp(job.release, `${path}.release`, 'release', violations);
  const deadlineMs = checkRequiredTimestamp(job.deadline, `${path}.deadline`, 'deadline', violations);
  if (releaseMs !== undefined && deadlineMs !== undefined && deadlineMs <= releaseMs) {
    const relation = deadlineMs < releaseMs ? 'is before' : 'is the same instant as';
    violations.add(
      `${path}.deadline`,
      `${formatUtcInstant(deadlineMs)} ${relation} release ${formatUtcInstant(releaseMs)}; expected a deadline after release`,
    );
  }

  const allowedSites = checkAllowedSites(job.allowedSites, `${path}.allowedSites`, sites, hints, violations);
  const homeSite = checkHomeSite(job.homeSite, job.allowedSites, `${path}.homeSite`, sites, hints, violations);

  const data = checkJobData(job, path, sites, hints, homeSite, violations);

  const startMs = horizon.startMs ?? 0;
  const hours = horizon.hours ?? 0;
  const releaseHour = ((releaseMs ?? startMs) - startMs) / msPerHour;
  const deadlineHour = ((deadlineMs ?? startMs) - startMs) / msPerHour;
  return {
    id: typeof job.id === 'string' ? job.id : '',
    gpuHours: job.gpuHours as number,
    maxGpus: job.maxGpus as number,
    minGpus: job.minGpus ?? 0,
    gpuPowerKw: job.gpuPowerKw as number,
    windowStart: clamp(Math.ceil(releaseHour), 0, hours),
    windowEnd: clamp(Math.floor(deadlineHour), 0, hours),
    releaseHour,
    deadlineHour,
    allowedSites: allowedSites.length > 0 ? allowedSites : sites.sites.map((_, i) => i),
    homeSite: homeSite ?? 0,
    interruptible: job.interruptible === true,
    ...(checkpointMinutes > 0 ? { checkpointMinutes } : {}),
    ...(job.splitSites === true ? { splitSites: true } : {}),
    ...(data ? { data } : {}),
  };
}

/** Checks checkpointMinutes (if set) and returns it, 0 when unset or bad. */
function checkCheckpointMinutes(job: Partial<Job>, path: string, violations: ViolationList): number {
  if (job.checkpointMinutes === undefined || job.checkpointMinutes === null) return 0;
  const ok = checkNumber(job.checkpointMinutes, { min: 0, max: maxCheckpointMinutes, unit: 'minutes' }, `${path}.checkpointMinutes`, violations);
  if (ok && job.checkpointMinutes > 0 && job.interruptible !== true) {
    violations.add(
      `${path}.checkpointMinutes`,
      `got ${job.checkpointMinutes} on a non-interruptible job; expected it only on an interruptible job (a block runs once and never restarts)`,
    );
    return 0;
  }
  return ok ? job.checkpointMinutes : 0;
}

/** The job's dataset: undefined without data (datasetGb unset or 0) or after reporting a bad field. */
function checkJobData(job: Partial<Job>, path: string, sites: ValidatedSites, hints: SiteIdHints, homeSite: number | undefined, violations: ViolationList): JobData['data'] {
  const datasetGb = job.datasetGb ?? 0;
  const sizeOk = checkNumber(datasetGb, { min: 0, max: physicalBounds.maxDatasetGb, unit: 'GB' }, `${path}.datasetGb`, violations);
  const dataSiteId: unknown = job.dataSite ?? '';
  let dataSite = homeSite;
  if (dataSiteId !== '') {
    dataSite = typeof dataSiteId === 'string' ? sites.indexById.get(dataSiteId) : undefined;
    if (dataSite === undefined) violations.add(`${path}.dataSite`, () => `${hints.unknownSiteMessage(dataSiteId)}; or empty for the home site`);
  }
  if (!sizeOk || datasetGb === 0 || dataSite === undefined) return undefined;
  return { datasetGb, dataSite };
}

/** Ascending indices of the allowed sites that exist; reports unknown and repeated ids. */
function checkAllowedSites(allowed: unknown, path: string, sites: ValidatedSites, hints: SiteIdHints, violations: ViolationList): number[] {
  if (allowed === undefined || allowed === null) return [];
  if (!Array.isArray(allowed)) {
    violations.add(path, `got ${describeJsonValue(allowed)}; expected a list of site ids`);
    return [];
  }
  const indices = new Set<number>();
  const firstPosition = new Map<unknown, number>();
  for (let k = 0; k < allowed.length; k++) {
    const id: unknown = allowed[k];
    const earlier = firstPosition.get(id);
    if (earlier !== undefined) {
      violations.add(`${path}[${k}]`, `got ${describeJsonValue(id)} again (already allowedSites[${earlier}]); expected each site at most once`);
      continue;
    }
    firstPosition.set(id, k);
    const index = typeof id === 'string' ? sites.indexById.get(id) : undefined;
    if (index === undefined) violations.add(`${path}[${k}]`, () => hints.unknownSiteMessage(id));
    else indices.add(index);
  }
  return [...indices].sort((a, b) => a - b);
}

/** Index of the home site, or undefined after reporting it missing, unknown or not allowed. */
function checkHomeSite(
  homeSite: unknown,
  allowedIds: unknown,
  path: string,
  sites: ValidatedSites,
  hints: SiteIdHints,
  violations: ViolationList,
): number | undefined {
  if (homeSite === undefined || homeSite === null || homeSite === '') {
    violations.add(path, `got ${describeJsonValue(homeSite ?? '')}; homeSite is required: expected a site id; known: ${hints.knownIds()}`);
    return undefined;
  }
  const index = typeof homeSite === 'string' ? sites.indexById.get(homeSite) : undefined;
  if (index === undefined) {
    violations.add(path, () => hints.unknownSiteMessage(homeSite));
    return undefined;
  }
  const restricted = Array.isArray(allowedIds) && allowedIds.length > 0;
  if (restricted && !(allowedIds as unknown[]).includes(homeSite)) {
    const allowed = [...new Set((allowedIds as unknown[]).filter((id) => typeof id === 'string'))].join(', ');
    violations.add(path, `${describeJsonValue(homeSite)} is not in allowedSites (${allowed}); expected one of the allowed sites`);
    return undefined;
  }
  return index;
}

/**
 * The "is not a site id (did you mean ...?); known: ..." messages of one request's jobs: the
 * site id list is built once, and every suggestion shares one SuggestionBudget, so a request full
 * of unknown ids against many sites stays fast (see suggestName).
 */
class SiteIdHints {
  private ids: string[] | undefined;
  private listed: string | undefined;
  private readonly budget = new SuggestionBudget();

  constructor(private readonly sites: ValidatedSites) {}

  unknownSiteMessage(id: unknown): string {
    this.ids ??= [...this.sites.indexById.keys()];
    const suggestion = typeof id === 'string' ? suggestName(id, this.ids, this.budget) : undefined;
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    return `${describeJsonValue(id)} is not a site id${hint}; known: ${this.knownIds()}`;
  }

  /** `a, b, c`, or the first ten and a count. */
  knownIds(): string {
    this.ids ??= [...this.sites.indexById.keys()];
    this.listed ??= listSiteIds(this.ids);
    return this.listed;
  }
}

function listSiteIds(ids: string[]): string {
  if (ids.length === 0) return 'none';
  if (ids.length <= maxListedSiteIds) return ids.join(', ');
  return `${ids.slice(0, maxListedSiteIds).join(', ')}, ... (${ids.length} sites)`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
