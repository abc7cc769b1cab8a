import { accountSchedule } from '../../solver/accounting/accountSchedule.js';
import type { JobOutcome } from '../../solver/plan/PlanResult.js';
import type { JobData, Problem, SiteData } from '../../solver/problem/Problem.js';
import type { Site } from '../generated/cosched/v1/plan_request.js';
import type { ExecutedWork } from '../generated/cosched/v1/standing_planner_service.js';
import type { ProgressRecordRow, StoredForecast } from '../store/PlannerStore.js';

const msPerHour = 3_600_000;
/** The longest executed past accounted in one run. */
export const maxExecutedHours = 8_784;

/**
 * The accounts of what ran in [fromMs, toMs) (whole hours), by the one accounting definition
 * (accountSchedule: facility = pue × (job load + base load), green used = min(facility, supply),
 * grid = the rest, emissions = grid × intensity), so executed hours and planned hours add up
 * the same way.
 *
 * For each site and hour the newest forecast version covering that hour gives supply, intensity,
 * price and base load; sites come from `forecasts` (every version overlapping the window). Hours a
 * site's forecasts do not cover are left out of the accounts, and GPU-hours reported there are
 * counted as `unaccountedGpuHours`. Records of jobs whose power is unknown are unaccounted too.
 * A window longer than 8,784 hours keeps its last 8,784. Pure.
 *
 * @param gpuPowerKwByJob each reported job's gpuPowerKw.
 */
export function accountExecutedWork(
  fromMs: number,
  toMs: number,
  progress: readonly ProgressRecordRow[],
  forecasts: ReadonlyArray<{ stored: StoredForecast; site: Site }>,
  gpuPowerKwByJob: ReadonlyMap<string, number>,
): ExecutedWork {
  fromMs = Math.max(fromMs, toMs - maxExecutedHours * msPerHour);
  const hours = Math.max(0, Math.round((toMs - fromMs) / msPerHour));
  const work: ExecutedWork = {
    start: toTimestamp(fromMs),
    end: toTimestamp(toMs),
    gpuHours: 0,
    records: 0,
    energyMwh: 0,
    greenMwh: 0,
    gridMwh: 0,
    emissionsKg: 0,
    cost: 0,
    unaccountedGpuHours: 0,
  };
  if (hours === 0) return work;

  // Per site: which forecast covers each hour (the newest version that does), or none.
  const siteIds = [...new Set(forecasts.map((f) => f.stored.siteId))].sort();
  const siteIndex = new Map(siteIds.map((id, s) => [id, s]));
  const covered = siteIds.map(() => new Array<boolean>(hours).fill(false));
  const sites: SiteData[] = siteIds.map((id) => ({
    id,
    name: id,
    timeZone: 'UTC',
    gpuCapacity: 0,
    pue: 1,
    greenSupplyMw: new Array<number>(hours).fill(0),
    carbonIntensityGPerKwh: new Array<number>(hours).fill(0),
    pricePerMwh: new Array<number>(hours).fill(0),
    baseLoadMw: new Array<number>(hours).fill(0),
    gridImportLimitMw: Infinity,
  }));
  const pueByHour = siteIds.map(() => new Array<number>(hours).fill(1));
  const newestFirst = [...forecasts].sort((a, b) => b.stored.version - a.stored.version);
  for (const { stored, site } of newestFirst) {
    const s = siteIndex.get(stored.siteId) as number;
    const offset = Math.round((stored.startMs - fromMs) / msPerHour);
    for (let t = Math.max(0, offset); t < Math.min(hours, offset + stored.hours); t++) {
      if (covered[s][t]) continue;
      covered[s][t] = true;
      const k = t - offset;
      sites[s].greenSupplyMw[t] = site.greenSupplyMw[k];
      sites[s].carbonIntensityGPerKwh[t] = site.carbonIntensityGPerKwh[k];
      sites[s].pricePerMwh[t] = site.pricePerMwh.length > 0 ? site.pricePerMwh[k] : 0;
      sites[s].baseLoadMw[t] = site.baseLoadMw.length > 0 ? site.baseLoadMw[k] : 0;
      pueByHour[s][t] = site.pue;
    }
  }

  // One job per reported job id, one run per accounted record.
  const jobIds = [...new Set(progress.map((r) => r.jobId))].sort();
  const jobs: JobData[] = jobIds.map((id) => ({
    id,
    gpuHours: 1,
    maxGpus: 1,
    minGpus: 0,
    gpuPowerKw: gpuPowerKwByJob.get(id) ?? 0,
    windowStart: 0,
    windowEnd: hours,
    releaseHour: 0,
    deadlineHour: hours,
    allowedSites: [0],
    homeSite: 0,
    interruptible: true,
  }));
  const outcomes: JobOutcome[] = jobIds.map((_, j) => ({ job: j, runs: [], doneGpuHours: 0, unmetGpuHours: 0, lateHours: 0, reason: '' }));
  const jobIndex = new Map(jobIds.map((id, j) => [id, j]));
  for (const record of progress) {
    const t = Math.round((record.hourMs - fromMs) / msPerHour);
    if (t < 0 || t >= hours) continue;
    work.records += 1;
    work.gpuHours += record.gpus;
    const s = siteIndex.get(record.siteId);
    const j = jobIndex.get(record.jobId) as number;
    if (s === undefined || !covered[s][t] || !gpuPowerKwByJob.has(record.jobId)) {
      work.unaccountedGpuHours += record.gpus;
      continue;
    }
    outcomes[j].runs.push({ site: s, startHour: t, hours: 1, gpus: record.gpus });
  }

  // accountSchedule takes one PUE per site: account each distinct PUE's hours separately.
  for (const pue of new Set(pueByHour.flat())) {
    const problem: Problem = {
      horizonStartMs: fromMs,
      hours,
      sites: sites.map((site, s) => ({
        ...site,
        pue,
        greenSupplyMw: site.greenSupplyMw.map((v, t) => (covered[s][t] && pueByHour[s][t] === pue ? v : 0)),
        baseLoadMw: site.baseLoadMw.map((v, t) => (covered[s][t] && pueByHour[s][t] === pue ? v : 0)),
      })),
      jobs,
      objective: { carbonWeight: 1, costWeight: 0 },
      options: { timeLimitSeconds: 1, mipGap: 1e-4, solver: 'highs' },
    };
    const selected = outcomes.map((o) => ({ ...o, runs: o.runs.filter((run) => pueByHour[run.site][run.startHour] === pue) }));
    const { totals } = accountSchedule(problem, selected);
    work.energyMwh += totals.energyMwh;
    work.greenMwh += totals.greenMwh;
    work.gridMwh += totals.gridMwh;
    work.emissionsKg += totals.emissionsKg;
    work.cost += totals.cost;
  }
  return work;
}

function toTimestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: 0 };
}
