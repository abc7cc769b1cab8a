import { timestampToMs } from '../data/timestampToMs.js';
import { formatUtcInstant } from '../data/formatUtcInstant.js';
import type { Job, Objective, PlanOptions, PlanRequest, Site } from '../generated/cosched/v1/plan_request.js';
import type { JobCarryOver } from '../generated/cosched/v1/standing_planner_service.js';
import type { ProgressRecordRow, StoredForecast } from '../store/PlannerStore.js';
import type { PlannedStateOfCharge } from './plannedStateOfCharge.js';
import { forecastName, jobName } from './resourceNames.js';

const msPerHour = 3_600_000;
const maxHorizonHours = 8_784;
/** GPU-hours below which remaining work counts as none. */
export const remainingTolerance = 1e-6;

/** One open job (pending, planned or running) as the run sees it. */
export interface SnapshotJob {
  id: string;
  spec: Job;
  doneGpuHours: number;
}

/** A site's latest forecast, parsed. */
export interface SnapshotForecast {
  stored: StoredForecast;
  site: Site;
}

/** What a run plans with. */
export interface RunSnapshotInput {
  /** The run's clock. */
  nowMs: number;
  /** The most hours to plan; 0: as far as forecasts and deadlines reach. */
  horizonHours: number;
  objective?: Objective;
  options?: PlanOptions;
  /** Open jobs in creation order. */
  jobs: SnapshotJob[];
  /** Progress records of those jobs before the plan start (for where started jobs run). */
  progress: ProgressRecordRow[];
  /** The latest forecast of every site. */
  forecasts: SnapshotForecast[];
  /** What the previous run planned for each site's battery at the plan start (plannedStateOfCharge). */
  plannedStateOfCharge?: ReadonlyMap<string, PlannedStateOfCharge>;
}

/** The run's inputs, and what the snapshot found about jobs it does not plan. */
export interface RunSnapshot {
  planStartMs: number;
  /** Hours planned; 0 when there is nothing to plan (then `request` is undefined). */
  horizonHours: number;
  request?: PlanRequest;
  forecastVersions: string[];
  carryOver: JobCarryOver[];
  /** Jobs whose deadline passed with work left: they become MISSED. */
  missed: Array<{ id: string; reason: string }>;
  /** Jobs with no work left: they become DONE. */
  done: string[];
  /** Jobs left out of the plan (they keep their state), with why. */
  leftOut: Array<{ id: string; reason: string }>;
  warnings: string[];
}

/**
 * Builds a run's PlanRequest from the backlog, the executed past and the latest forecasts. Pure.
 *
 * - Plan start = `nowMs` rounded down to a whole UTC hour. Hours before it are the executed past:
 *   each job's remaining work is gpuHours minus its reported GPU-hours.
 * - Sites: those whose latest forecast covers the plan start, in id order, their hourly arrays cut
 *   to the horizon. Horizon end = the earliest end among those forecasts, capped by
 *   `horizonHours` (when > 0), by 8,784 hours, and by the latest deadline of the planned jobs.
 * - Jobs, in backlog order: no work left → `done`; a started non-interruptible job (progress
 *   reported) continues where it runs, even past its deadline (never `missed` mid-block; a warning
 *   says so): pinned to that site (the site of its latest record), released at plan start, with a
 *   window of exactly its remaining block (ceil(remaining / maxGpus) hours), or the part of it
 *   inside the horizon (the next run plans the rest); deadline at or before the plan start →
 *   `missed`; any other job keeps its spec with gpuHours = remaining, release no earlier than the plan
 *   start, and allowedSites cut to the sites
 *   in the plan (a home site without a forecast is replaced by the first allowed site in the plan,
 *   with a warning). A job with no site in the plan is left out (`leftOut`) with the reason, and
 *   so is a job with data (`datasetGb` > 0) whose data site is not its home site or not in the
 *   plan: the plan has no links to move data (a started job's data is where it runs).
 * - A battery's state of charge at the plan start (`storage.initial_mwh`): its forecast's, when
 *   the forecast starts at the plan start; else the one the previous run planned for that hour
 *   (`plannedStateOfCharge`), when that run planned the site with this forecast version or the
 *   forecast starts before that run's plan (a revision of an earlier hour states nothing newer);
 *   else the forecast's, with a warning (it is the charge at the forecast's start). A
 *   `final_mwh_min` above a carried state is lowered to it, with a warning.
 * - Jobs go out with `dataSite` empty: a job with data is planned at its home site, where its
 *   data is (others are left out above), and a `dataSite` without data means nothing.
 * - Nothing to plan (no job or no site): `request` undefined, horizonHours 0.
 */
export function buildRunSnapshot(input: RunSnapshotInput): RunSnapshot {
  const planStartMs = Math.floor(input.nowMs / msPerHour) * msPerHour;
  const warnings: string[] = [];
  const covering = input.forecasts
    .filter((f) => f.stored.startMs <= planStartMs && planStartMs < f.stored.startMs + f.stored.hours * msPerHour)
    .sort((a, b) => (a.site.id < b.site.id ? -1 : a.site.id > b.site.id ? 1 : 0));
  for (const f of input.forecasts) {
    if (!covering.includes(f)) {
      warnings.push(
        `site ${f.site.id} left out: its latest forecast (${forecastName(f.stored.siteId, f.stored.version)}) covers ${formatUtcInstant(f.stored.startMs)} to ${formatUtcInstant(f.stored.startMs + f.stored.hours * msPerHour)}, not the plan start ${formatUtcInstant(planStartMs)}`,
      );
    }
  }
  // The horizon the forecasts allow (capped by horizonHours and 8,784 h); the jobs' latest
  // deadline may shorten it below.
  let horizonEndMs = planStartMs;
  if (covering.length > 0) {
    let shortest = covering[0];
    let longestEndMs = -Infinity;
    horizonEndMs = Infinity;
    for (const f of covering) {
      const endMs = f.stored.startMs + f.stored.hours * msPerHour;
      if (endMs < horizonEndMs) {
        horizonEndMs = endMs;
        shortest = f;
      }
      longestEndMs = Math.max(longestEndMs, endMs);
    }
    if (longestEndMs > horizonEndMs) {
      warnings.push(`the horizon ends at ${formatUtcInstant(horizonEndMs)}, where the forecast of ${shortest.site.id} ends (the shortest of the sites in the plan)`);
    }
    if (input.horizonHours > 0) horizonEndMs = Math.min(horizonEndMs, planStartMs + input.horizonHours * msPerHour);
    horizonEndMs = Math.min(horizonEndMs, planStartMs + maxHorizonHours * msPerHour);
  }

  const siteIds = new Set(covering.map((f) => f.site.id));
  const startedAt = latestSiteByJob(input.progress, planStartMs);

  const carryOver: JobCarryOver[] = [];
  const missed: RunSnapshot['missed'] = [];
  const done: string[] = [];
  const leftOut: RunSnapshot['leftOut'] = [];
  const planned: Job[] = [];
  for (const job of input.jobs) {
    const remaining = job.spec.gpuHours - job.doneGpuHours;
    const entry: JobCarryOver = { job: jobName(job.id), doneGpuHours: job.doneGpuHours, remainingGpuHours: Math.max(0, remaining), pinnedSite: '', leftOutReason: '' };
    carryOver.push(entry);
    if (remaining <= remainingTolerance) {
      done.push(job.id);
      entry.leftOutReason = 'no work left';
      continue;
    }
    const deadlineMs = timestampToMs(job.spec.deadline!) as number;
    // A started non-interruptible job runs on, even past its deadline: it is never MISSED mid-block.
    const runningSite = !job.spec.interruptible && job.doneGpuHours > remainingTolerance ? startedAt.get(job.id) : undefined;
    if (runningSite !== undefined) {
      entry.pinnedSite = runningSite;
      if (!siteIds.has(runningSite)) {
        const reason = `started non-interruptible job runs at ${runningSite}, which has no forecast covering the plan start ${formatUtcInstant(planStartMs)}`;
        leftOut.push({ id: job.id, reason });
        entry.leftOutReason = reason;
        continue;
      }
      const blockHours = Math.max(1, Math.ceil(remaining / job.spec.maxGpus - 1e-9));
      const blockEndMs = planStartMs + blockHours * msPerHour;
      if (blockEndMs > deadlineMs) {
        warnings.push(`job ${job.id} continues at ${runningSite} until ${formatUtcInstant(blockEndMs)}, past its deadline ${formatUtcInstant(deadlineMs)}`);
      }
      // The part of the block inside the horizon is planned now; the next run plans the rest.
      let gpuHours = remaining;
      let endMs = blockEndMs;
      if (blockEndMs > horizonEndMs) {
        const hoursInside = Math.round((horizonEndMs - planStartMs) / msPerHour);
        gpuHours = job.spec.maxGpus * hoursInside;
        endMs = horizonEndMs;
        warnings.push(`job ${job.id}: its block runs to ${formatUtcInstant(blockEndMs)}, past the horizon end ${formatUtcInstant(horizonEndMs)}; this plan holds its first ${hoursInside} h (${round(gpuHours)} GPU-hours)`);
      }
      if (gpuHours <= remainingTolerance) {
        const reason = `the horizon holds no hour of its remaining block (runs at ${runningSite})`;
        leftOut.push({ id: job.id, reason });
        entry.leftOutReason = reason;
        continue;
      }
      planned.push({
        ...job.spec,
        gpuHours,
        allowedSites: [runningSite],
        homeSite: runningSite,
        // Its data is where it runs.
        dataSite: '',
        release: toTimestamp(planStartMs),
        deadline: toTimestamp(endMs),
      });
      continue;
    }
    if (deadlineMs <= planStartMs) {
      const reason = `deadline ${formatUtcInstant(deadlineMs)} passed with ${round(remaining)} of ${round(job.spec.gpuHours)} GPU-hours left`;
      missed.push({ id: job.id, reason });
      entry.leftOutReason = reason;
      continue;
    }
    // With no links, a job with data runs where its data is: at its home site, which must be in the plan.
    if ((job.spec.datasetGb ?? 0) > 0) {
      const dataSite = job.spec.dataSite || job.spec.homeSite;
      const reason =
        dataSite !== job.spec.homeSite
          ? `its data is at ${dataSite}, away from its home site ${job.spec.homeSite}, and the standing planner has no links to move it`
          : !siteIds.has(dataSite)
            ? `its data is at ${dataSite}, which has no forecast covering the plan start ${formatUtcInstant(planStartMs)}`
            : undefined;
      if (reason !== undefined) {
        leftOut.push({ id: job.id, reason });
        entry.leftOutReason = reason;
        continue;
      }
    }
    const allowed = job.spec.allowedSites.length === 0 ? [...siteIds] : job.spec.allowedSites.filter((id) => siteIds.has(id));
    if (allowed.length === 0) {
      const named = job.spec.allowedSites.length === 0 ? 'no site' : `none of its allowed sites (${job.spec.allowedSites.join(', ')})`;
      const reason = `${named} has a forecast covering the plan start ${formatUtcInstant(planStartMs)}`;
      leftOut.push({ id: job.id, reason });
      entry.leftOutReason = reason;
      continue;
    }
    let homeSite = job.spec.homeSite;
    if (!siteIds.has(homeSite)) {
      homeSite = allowed[0];
      warnings.push(`job ${job.id}: home site ${job.spec.homeSite} has no forecast covering the plan start; the baseline runs it at ${homeSite}`);
    }
    // A release in the past is the plan start (the same window, without a warning on every re-plan).
    const releaseMs = Math.max(timestampToMs(job.spec.release!) as number, planStartMs);
    planned.push({ ...job.spec, gpuHours: remaining, allowedSites: job.spec.allowedSites.length === 0 ? [] : allowed, homeSite, dataSite: '', release: toTimestamp(releaseMs) });
  }

  const forecastVersions = covering.map((f) => forecastName(f.stored.siteId, f.stored.version));
  if (planned.length === 0 || covering.length === 0) {
    return { planStartMs, horizonHours: 0, forecastVersions, carryOver, missed, done, leftOut, warnings };
  }
  // Hours after every planned job's deadline can hold no work.
  let latestDeadlineMs = -Infinity;
  for (const job of planned) latestDeadlineMs = Math.max(latestDeadlineMs, timestampToMs(job.deadline!) as number);
  horizonEndMs = Math.min(horizonEndMs, Math.ceil(latestDeadlineMs / msPerHour) * msPerHour);
  const horizonHours = Math.max(0, Math.round((horizonEndMs - planStartMs) / msPerHour));

  const sites: Site[] = covering.map((f) => withStateOfCharge(cutSite(f, planStartMs, horizonHours), f, planStartMs, input.plannedStateOfCharge, warnings));
  const request: PlanRequest = {
    horizon: { start: toTimestamp(planStartMs), hours: horizonHours },
    sites,
    jobs: planned,
    objective: input.objective,
    options: input.options,
    forecastScenarios: [],
    links: [],
  };
  return { planStartMs, horizonHours, request, forecastVersions, carryOver, missed, done, leftOut, warnings };
}

/** The site of each job's latest progress record before `beforeMs`. */
function latestSiteByJob(progress: readonly ProgressRecordRow[], beforeMs: number): Map<string, string> {
  const latest = new Map<string, ProgressRecordRow>();
  for (const row of progress) {
    if (row.hourMs >= beforeMs || row.gpus <= 0) continue;
    const seen = latest.get(row.jobId);
    if (!seen || row.hourMs > seen.hourMs || (row.hourMs === seen.hourMs && row.gpus > seen.gpus)) latest.set(row.jobId, row);
  }
  return new Map([...latest].map(([id, row]) => [id, row.siteId]));
}

/** The site with its hourly arrays cut to [planStart, planStart + hours). */
function cutSite(forecast: SnapshotForecast, planStartMs: number, hours: number): Site {
  const offset = Math.round((planStartMs - forecast.stored.startMs) / msPerHour);
  const cut = (values: number[]) => (values.length === 0 ? [] : values.slice(offset, offset + hours));
  const { site } = forecast;
  return {
    ...site,
    greenSupplyMw: cut(site.greenSupplyMw),
    carbonIntensityGPerKwh: cut(site.carbonIntensityGPerKwh),
    pricePerMwh: cut(site.pricePerMwh),
    baseLoadMw: cut(site.baseLoadMw),
    marginalIntensityGPerKwh: cut(site.marginalIntensityGPerKwh),
  };
}

/** `site` with its battery's state of charge at the plan start, as buildRunSnapshot says. */
function withStateOfCharge(site: Site, forecast: SnapshotForecast, planStartMs: number, planned: RunSnapshotInput['plannedStateOfCharge'], warnings: string[]): Site {
  if (!site.storage || forecast.stored.startMs === planStartMs) return site;
  const carried = planned?.get(site.id);
  const version = forecastName(forecast.stored.siteId, forecast.stored.version);
  // The forecast's charge is news when the plan carried here did not have this version and the
  // charge is for an hour no earlier than that plan's start; a revision from an earlier hour is not.
  if (!carried || (carried.forecastVersion !== version && forecast.stored.startMs >= carried.runPlanStartMs)) {
    warnings.push(
      `site ${site.id}: its battery starts the plan at ${round(site.storage.initialMwh)} MWh, the state of charge that ${version} gives for ${formatUtcInstant(forecast.stored.startMs)} ` +
        `(${carried ? 'newer than the plan before this run' : 'no earlier plan carries the battery'} to the plan start ${formatUtcInstant(planStartMs)})`,
    );
    return site;
  }
  const initialMwh = Math.min(site.storage.energyMwh, Math.max(0, carried.stateOfChargeMwh));
  const storage = { ...site.storage, initialMwh };
  if (storage.finalMwhMin !== undefined && storage.finalMwhMin > initialMwh) {
    warnings.push(`site ${site.id}: final_mwh_min ${round(storage.finalMwhMin)} MWh of ${version} lowered to the ${round(initialMwh)} MWh the battery holds at the plan start`);
    storage.finalMwhMin = initialMwh;
  }
  return { ...site, storage };
}

function toTimestamp(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: 0 };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
