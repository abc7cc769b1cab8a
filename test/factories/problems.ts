import type { JobData, Problem, SiteData } from '../../solver/problem/Problem.js';

/** 2026-07-01T00:00Z: the horizon start of every factory problem. */
export const horizonStartMs = Date.UTC(2026, 6, 1);

/** A site with the given hourly green supply (MW) and carbon intensity (g/kWh); no price, base load or limit. */
export function site(id: string, greenSupplyMw: number[], carbonIntensityGPerKwh: number[], extra: Partial<SiteData> = {}): SiteData {
  return {
    id,
    name: id,
    timeZone: 'UTC',
    gpuCapacity: 1_000,
    pue: 1,
    greenSupplyMw,
    carbonIntensityGPerKwh,
    pricePerMwh: greenSupplyMw.map(() => 0),
    baseLoadMw: greenSupplyMw.map(() => 0),
    gridImportLimitMw: Infinity,
    ...extra,
  };
}

/** A job over the whole horizon at site 0 (window = [release, deadline) in whole hours). */
export function job(id: string, hours: number, extra: Partial<JobData> = {}): JobData {
  const merged: JobData = {
    id,
    gpuHours: 8,
    maxGpus: 8,
    minGpus: 0,
    gpuPowerKw: 1,
    windowStart: 0,
    windowEnd: hours,
    releaseHour: 0,
    deadlineHour: hours,
    allowedSites: [0],
    homeSite: 0,
    interruptible: true,
    ...extra,
  };
  if (extra.releaseHour !== undefined && extra.windowStart === undefined) merged.windowStart = Math.max(0, Math.ceil(extra.releaseHour));
  if (extra.deadlineHour !== undefined && extra.windowEnd === undefined) merged.windowEnd = Math.min(hours, Math.floor(extra.deadlineHour));
  return merged;
}

/** A problem minimising carbon with HiGHS. */
export function problem(hours: number, sites: SiteData[], jobs: JobData[], extra: Partial<Problem> = {}): Problem {
  return {
    horizonStartMs,
    hours,
    sites,
    jobs,
    objective: { carbonWeight: 1, costWeight: 0 },
    options: { timeLimitSeconds: 30, mipGap: 1e-9, solver: 'highs' },
    ...extra,
  };
}

/** One site, 4 hours, 10 MW of green supply only in hour 3, grid at 500 g/kWh otherwise; one 8-GPU-hour job. */
export function oneSiteGreenAtHourThree(): Problem {
  return problem(4, [site('a', [0, 0, 0, 10], [500, 500, 500, 500])], [job('j1', 4)]);
}

/** Two sites with the same grid intensity; only `green` has green supply. The job is homed at `grey`. */
export function twoSitesOneGreen(): Problem {
  const sites = [site('grey', [0, 0, 0], [600, 600, 600]), site('green', [5, 5, 5], [600, 600, 600])];
  return problem(3, sites, [job('j1', 3, { gpuHours: 8, maxGpus: 8, allowedSites: [0, 1], homeSite: 0 })]);
}
