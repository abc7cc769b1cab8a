import { describeJsonValue } from '../data/describeJsonValue.js';
import { suggestName } from '../data/suggestName.js';
import type { ViolationList } from '../data/ViolationList.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { JobSelector } from '../generated/cosched/v1/what_if.js';

const maxListedIds = 10;

/**
 * Indices (in request order) of the jobs a JobSelector picks in `request`: every job when the
 * selector is unset or empty; otherwise the union of the jobs named in `jobIds` and the jobs
 * homed at a site in `homeSites`. Returns undefined after adding a violation under `path` for
 * each job id that is not a job, each home that is not a site, and each site no job is homed at
 * (a selector that silently picks nothing is almost always a mistake).
 */
export function selectJobs(request: PlanRequest, selector: JobSelector | undefined, path: string, violations: ViolationList): number[] | undefined {
  const jobIds = selector?.jobIds ?? [];
  const homeSites = selector?.homeSites ?? [];
  if (jobIds.length === 0 && homeSites.length === 0) return request.jobs.map((_, i) => i);
  const before = violations.length;
  const knownJobs = request.jobs.map((job) => job.id);
  jobIds.forEach((id, k) => {
    if (!knownJobs.includes(id)) violations.add(`${path}.jobIds[${k}]`, unknownIdMessage(id, 'job', knownJobs));
  });
  const knownSites = request.sites.map((site) => site.id);
  const homes = [...new Set(request.jobs.map((job) => job.homeSite))];
  homeSites.forEach((id, k) => {
    if (!knownSites.includes(id)) violations.add(`${path}.homeSites[${k}]`, unknownIdMessage(id, 'site', knownSites));
    else if (!homes.includes(id)) violations.add(`${path}.homeSites[${k}]`, `${describeJsonValue(id)} is a site, but no job is homed there; homes: ${listIds(homes)}`);
  });
  if (violations.length > before) return undefined;
  const picked: number[] = [];
  request.jobs.forEach((job, i) => {
    if (jobIds.includes(job.id) || homeSites.includes(job.homeSite)) picked.push(i);
  });
  return picked;
}

/** `"x" is not a site id (did you mean y?); known: a, b, c`. */
export function unknownIdMessage(id: unknown, kind: 'site' | 'job', known: readonly string[]): string {
  const suggestion = typeof id === 'string' ? suggestName(id, known) : undefined;
  const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  return `${describeJsonValue(id)} is not a ${kind} id${hint}; known: ${listIds(known)}`;
}

/** `a, b, c`, or the first ten and a count. */
export function listIds(ids: readonly string[]): string {
  if (ids.length === 0) return 'none';
  if (ids.length <= maxListedIds) return ids.join(', ');
  return `${ids.slice(0, maxListedIds).join(', ')}, ... (${ids.length} in all)`;
}
