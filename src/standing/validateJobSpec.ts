import type { SiteData } from '../../solver/problem/Problem.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { idPattern } from '../data/IdRegistry.js';
import { validateJobs } from '../data/validateJobs.js';
import type { ValidatedSites } from '../data/validateSites.js';
import { ViolationList } from '../data/ViolationList.js';
import type { Job } from '../generated/cosched/v1/plan_request.js';

/**
 * Checks one backlog job with the same rules as a PlanRequest's jobs (validateJobs: id, gpuHours,
 * maxGpus, minGpus, gpuPowerKw, release before deadline, homeSite among allowedSites, ...), except
 * that the sites it names need not be known yet: a scheduler may submit jobs before any forecast
 * arrives, and a run reports jobs none of whose sites has a forecast. Site ids must still be well
 * formed. A job with data (`datasetGb` > 0) must have it at its home site (`dataSite` empty or
 * the home site): runs plan without links. Violations are added to `violations` with `path` as
 * the job's path (e.g. `job` or `requests[3].job`), in proto3 JSON names.
 */
export function validateJobSpec(job: Job | undefined, path: string, violations: ViolationList): void {
  if (job === undefined || job === null) {
    violations.add(path, 'got nothing; expected a job (id, gpuHours, maxGpus, gpuPowerKw, release, deadline, homeSite, ...)');
    return;
  }
  // dataSite too: its only rule here is the one below (at the home site when there is data).
  const named = [...(Array.isArray(job.allowedSites) ? job.allowedSites : []), job.homeSite, job.dataSite].filter((id): id is string => typeof id === 'string' && id !== '');
  const badIds = new Set<string>();
  (Array.isArray(job.allowedSites) ? job.allowedSites : []).forEach((id, k) => {
    if (typeof id !== 'string' || !idPattern.test(id)) {
      violations.add(`${path}.allowedSites[${k}]`, `got ${describeJsonValue(id)}; expected a site id (letters, digits, '_', '-', '.')`);
      badIds.add(String(id));
    }
  });
  if (typeof job.homeSite === 'string' && job.homeSite !== '' && !idPattern.test(job.homeSite) && !badIds.has(job.homeSite)) {
    violations.add(`${path}.homeSite`, `got ${describeJsonValue(job.homeSite)}; expected a site id (letters, digits, '_', '-', '.')`);
  }
  // Every well-formed id the job names counts as a known site, so only the job's own rules apply.
  const known = [...new Set(named.filter((id) => idPattern.test(id)))];
  const sites: ValidatedSites = {
    sites: known.map((id) => placeholderSite(id)),
    indexById: new Map(known.map((id, i) => [id, i])),
  };
  const own = new ViolationList();
  validateJobs([job], sites, { startMs: 0, hours: 1 }, own);
  for (const v of own.items) {
    if (badIds.size > 0 && v.field.startsWith('jobs[0].allowedSites[')) continue;
    violations.add(v.field.replace(/^jobs\[0\]/, path), v.description);
  }
  // Runs plan without links (PlanRequest.links), so a job's data cannot move from its site.
  const datasetGb: unknown = job.datasetGb;
  const dataSiteFlagged = own.items.some((v) => v.field === 'jobs[0].dataSite');
  if (!dataSiteFlagged && typeof datasetGb === 'number' && datasetGb > 0 && typeof job.dataSite === 'string' && job.dataSite !== '' && job.dataSite !== job.homeSite) {
    violations.add(
      `${path}.dataSite`,
      `got ${describeJsonValue(job.dataSite)}; the standing planner has no links between sites, so a job's data must be at its home site ${describeJsonValue(job.homeSite)} (or dataSite empty): ` +
        'move the data home first, or plan the job with Plan and PlanRequest.links',
    );
  }
}

function placeholderSite(id: string): SiteData {
  return { id, name: id, timeZone: 'UTC', gpuCapacity: 0, pue: 1, greenSupplyMw: [], carbonIntensityGPerKwh: [], pricePerMwh: [], baseLoadMw: [], gridImportLimitMw: Infinity };
}
