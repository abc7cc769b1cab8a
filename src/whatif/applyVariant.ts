import { checkNumber } from '../data/checkNumber.js';
import { describeJsonValue } from '../data/describeJsonValue.js';
import { timestampToMs } from '../data/timestampToMs.js';
import type { ViolationList } from '../data/ViolationList.js';
import type { Job, PlanRequest, Site } from '../generated/cosched/v1/plan_request.js';
import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import type {
  AddSite,
  Override,
  RemoveSite,
  ReplaceForecasts,
  RestrictSites,
  ScaleDeadlines,
  ScaleGreenSupply,
  SetCapacity,
  SetCarbonPrice,
  SetInterruptible,
  ShiftDeadlines,
  Variant,
} from '../generated/cosched/v1/what_if.js';
import { loadSiteForecasts, type ReadTextFile } from './loadSiteForecasts.js';
import { listIds, selectJobs, unknownIdMessage } from './selectJobs.js';

const msPerHour = 3_600_000;
const maxInt32 = 2 ** 31 - 1;
// floor(capacity × factor) must not lose a GPU to binary rounding (100 × 0.57 = 56.99999999999999).
const capacityRoundingSlack = 1e-9;

/** Every change an Override can make, as its proto3 JSON name. */
export const overrideKinds = [
  'scaleGreenSupply',
  'addSite',
  'removeSite',
  'setCapacity',
  'shiftDeadlines',
  'scaleDeadlines',
  'setInterruptible',
  'restrictSites',
  'setCarbonPrice',
  'replaceForecasts',
] as const satisfies ReadonlyArray<NonNullable<Override['change']>['$case']>;

/** What applying a variant gives, and where its added sites came from. */
export interface AppliedVariant {
  request: PlanRequest;
  /** Each site an AddSite override added (the object in `request.sites`) and that override's `.addSite.site` path. */
  addedSites: Map<Site, string>;
}

/**
 * Applies a variant's overrides to a copy of `base`, in order, adding a violation under
 * `variantPath` (e.g. `variants[2]`) for each bad override instead of throwing; a bad override
 * is skipped and the rest are still checked, so every bad override is reported at once. The base
 * is never modified. See applyOverrides for what each override does.
 */
export function applyVariant(
  base: PlanRequest,
  variant: Variant,
  variantPath: string,
  violations: ViolationList,
  readFile?: ReadTextFile,
): AppliedVariant {
  const request = structuredClone(base);
  const addedSites = new Map<Site, string>();
  (variant.overrides ?? []).forEach((override, j) => {
    const path = `${variantPath}.overrides[${j}]`;
    const change = override?.change;
    if (change === undefined || change === null) {
      violations.add(path, `got an empty override; expected exactly one of ${overrideKinds.join(', ')}`);
      return;
    }
    const at = `${path}.${change.$case}`;
    const context: Context = { request, violations, path: at };
    switch (change.$case) {
      case 'scaleGreenSupply':
        return scaleGreenSupply(context, change.value);
      case 'addSite':
        return addSite(context, change.value, addedSites);
      case 'removeSite':
        return removeSite(context, change.value);
      case 'setCapacity':
        return setCapacity(context, change.value);
      case 'shiftDeadlines':
        return shiftDeadlines(context, change.value);
      case 'scaleDeadlines':
        return scaleDeadlines(context, change.value);
      case 'setInterruptible':
        return setInterruptible(context, change.value);
      case 'restrictSites':
        return restrictSites(context, change.value);
      case 'setCarbonPrice':
        return setCarbonPrice(context, change.value);
      case 'replaceForecasts':
        return replaceForecasts(context, change.value, readFile);
      default:
        violations.add(path, `got the unknown change ${describeJsonValue((change as { $case: unknown }).$case)}; expected one of ${overrideKinds.join(', ')}`);
    }
  });
  return { request, addedSites };
}

/** The request being changed, where violations go, and the override's path (`...overrides[j].removeSite`). */
interface Context {
  request: PlanRequest;
  violations: ViolationList;
  path: string;
}

/** Runs `check`; applies `apply` only when the check added no violation. */
function ifValid(context: Context, check: () => void, apply: () => void): void {
  const before = context.violations.length;
  check();
  if (context.violations.length === before) apply();
}

/** Sites an override with `siteId` targets: all when empty, else the one named; undefined after a violation. */
function targetSites(context: Context, siteId: string): Site[] | undefined {
  if (siteId === '' || siteId === undefined) return context.request.sites;
  const site = context.request.sites.find((s) => s.id === siteId);
  if (site === undefined) {
    context.violations.add(`${context.path}.siteId`, unknownIdMessage(siteId, 'site', context.request.sites.map((s) => s.id)));
    return undefined;
  }
  return [site];
}

function scaleGreenSupply(context: Context, change: ScaleGreenSupply): void {
  let sites: Site[] | undefined;
  ifValid(
    context,
    () => {
      sites = targetSites(context, change.siteId);
      if (change.factor !== undefined) checkNumber(change.factor, { min: 0 }, `${context.path}.factor`, context.violations);
      checkNumber(change.addMw, { unit: 'MW' }, `${context.path}.addMw`, context.violations);
    },
    () => {
      const scale = (mw: number) => Math.max(0, mw * (change.factor ?? 1) + change.addMw);
      for (const site of sites ?? []) {
        site.greenSupplyMw = site.greenSupplyMw.map(scale);
        // The site's green supply in each forecast scenario moves with it.
        for (const scenario of context.request.forecastScenarios ?? []) {
          for (const forecast of scenario.sites) if (forecast.siteId === site.id) forecast.greenSupplyMw = forecast.greenSupplyMw.map(scale);
        }
      }
    },
  );
}

function addSite(context: Context, change: AddSite, addedSites: Map<Site, string>): void {
  const sitePath = `${context.path}.site`;
  const site = change.site;
  let jobs: number[] | undefined = [];
  ifValid(
    context,
    () => {
      if (site === undefined || site === null) {
        context.violations.add(sitePath, 'got nothing; expected the new site (id, gpuCapacity, pue, greenSupplyMw, carbonIntensityGPerKwh, ...)');
      } else if (context.request.sites.some((s) => s.id === site.id)) {
        context.violations.add(`${sitePath}.id`, `got ${describeJsonValue(site.id)}, which is already a site; expected a new id`);
      }
      // No job is homed at the new site yet, so the selection does not depend on it.
      if (change.alsoAllow !== undefined && change.alsoAllow !== null) {
        jobs = selectJobs(context.request, change.alsoAllow, `${context.path}.alsoAllow`, context.violations);
      }
    },
    () => {
      const added = structuredClone(site as Site);
      context.request.sites.push(added);
      addedSites.set(added, sitePath);
      for (const j of jobs ?? []) {
        const job = context.request.jobs[j];
        // An empty allowedSites already allows every site, the new one included.
        if (job.allowedSites.length > 0 && !job.allowedSites.includes(added.id)) job.allowedSites.push(added.id);
      }
    },
  );
}

function removeSite(context: Context, change: RemoveSite): void {
  const { request } = context;
  const siteId = change.siteId;
  const path = `${context.path}.siteId`;
  ifValid(
    context,
    () => {
      if (siteId === '') {
        context.violations.add(path, `got ""; expected the id of the site to remove; known: ${listIds(request.sites.map((s) => s.id))}`);
        return;
      }
      if (targetSites(context, siteId) === undefined) return;
      if (request.sites.length === 1) {
        context.violations.add(path, `${describeJsonValue(siteId)} is the only site; expected a request to keep at least one`);
        return;
      }
      const stranded = request.jobs.filter((job) => job.allowedSites.length > 0 && job.allowedSites.every((id) => id === siteId)).map((job) => job.id);
      if (stranded.length > 0) {
        context.violations.add(
          path,
          `removing ${describeJsonValue(siteId)} leaves ${stranded.length === 1 ? 'job' : 'jobs'} ${listIds(stranded)} with no allowed site (allowedSites lists only it); a restrictSites override before this one can give them others`,
        );
      }
    },
    () => {
      request.sites = request.sites.filter((site) => site.id !== siteId);
      // The site's forecasts in the scenarios, and links to and from it, go with it.
      for (const scenario of request.forecastScenarios ?? []) scenario.sites = scenario.sites.filter((forecast) => forecast.siteId !== siteId);
      request.links = (request.links ?? []).filter((link) => link.fromSiteId !== siteId && link.toSiteId !== siteId);
      for (const job of request.jobs) {
        job.allowedSites = job.allowedSites.filter((id) => id !== siteId);
        // Re-homed to the first remaining allowed site (any site when allowedSites is empty).
        if (job.homeSite === siteId) job.homeSite = job.allowedSites[0] ?? request.sites[0].id;
      }
    },
  );
}

function setCapacity(context: Context, change: SetCapacity): void {
  let sites: Site[] | undefined;
  ifValid(
    context,
    () => {
      sites = targetSites(context, change.siteId);
      const factorOk = checkNumber(change.factor, { min: 0, note: '0 sets gpuCapacity instead' }, `${context.path}.factor`, context.violations);
      if (factorOk && change.factor > 0) {
        if (change.gpuCapacity !== 0) {
          context.violations.add(
            `${context.path}.gpuCapacity`,
            `got ${describeJsonValue(change.gpuCapacity)} with factor ${change.factor}; expected 0 (unset) when factor is given: set one or the other`,
          );
        }
        const overflowing = (sites ?? []).filter((site) => scaledCapacity(site.gpuCapacity, change.factor) > maxInt32);
        if (overflowing.length > 0) {
          context.violations.add(`${context.path}.factor`, `got ${change.factor}, which takes ${listIds(overflowing.map((s) => s.id))} past ${maxInt32} GPUs; expected a smaller factor`);
        }
      } else if (factorOk) {
        checkNumber(change.gpuCapacity, { integer: true, min: 0, max: maxInt32, unit: 'GPUs' }, `${context.path}.gpuCapacity`, context.violations);
      }
    },
    () => {
      for (const site of sites ?? []) site.gpuCapacity = change.factor > 0 ? scaledCapacity(site.gpuCapacity, change.factor) : change.gpuCapacity;
    },
  );
}

function scaledCapacity(gpuCapacity: number, factor: number): number {
  return Math.floor(gpuCapacity * factor + capacityRoundingSlack);
}

function shiftDeadlines(context: Context, change: ShiftDeadlines): void {
  let jobs: number[] | undefined;
  ifValid(
    context,
    () => {
      jobs = selectJobs(context.request, change.jobs, `${context.path}.jobs`, context.violations);
      checkNumber(change.hours, { unit: 'h' }, `${context.path}.hours`, context.violations);
    },
    () => {
      for (const j of jobs ?? []) {
        moveDeadline(context.request.jobs[j], (releaseMs, deadlineMs) => {
          const shiftedMs = deadlineMs + change.hours * msPerHour;
          // Moved earlier, a deadline stops one hour after release (the shortest window a job
          // can have, so the request stays valid and the lost work shows up as unmet).
          return change.hours < 0 ? Math.max(shiftedMs, Math.min(deadlineMs, releaseMs + msPerHour)) : shiftedMs;
        });
      }
    },
  );
}

function scaleDeadlines(context: Context, change: ScaleDeadlines): void {
  let jobs: number[] | undefined;
  ifValid(
    context,
    () => {
      jobs = selectJobs(context.request, change.jobs, `${context.path}.jobs`, context.violations);
      checkNumber(change.factor, { min: 0, minExclusive: true }, `${context.path}.factor`, context.violations);
    },
    () => {
      for (const j of jobs ?? []) moveDeadline(context.request.jobs[j], (releaseMs, deadlineMs) => releaseMs + change.factor * (deadlineMs - releaseMs));
    },
  );
}

/** Sets the job's deadline to `deadlineMsOf(release, deadline)`, to whole milliseconds; leaves invalid timestamps to validation. */
function moveDeadline(job: Job, deadlineMsOf: (releaseMs: number, deadlineMs: number) => number): void {
  const releaseMs = job.release ? timestampToMs(job.release) : undefined;
  const deadlineMs = job.deadline ? timestampToMs(job.deadline) : undefined;
  if (releaseMs === undefined || deadlineMs === undefined) return;
  job.deadline = msToTimestamp(Math.round(deadlineMsOf(releaseMs, deadlineMs)));
}

function msToTimestamp(epochMs: number): Timestamp {
  const seconds = Math.floor(epochMs / 1_000);
  return { seconds, nanos: (epochMs - seconds * 1_000) * 1_000_000 };
}

function setInterruptible(context: Context, change: SetInterruptible): void {
  let jobs: number[] | undefined;
  ifValid(
    context,
    () => {
      jobs = selectJobs(context.request, change.jobs, `${context.path}.jobs`, context.violations);
      if (typeof change.interruptible !== 'boolean') {
        context.violations.add(`${context.path}.interruptible`, `got ${describeJsonValue(change.interruptible)}; expected true or false`);
      }
    },
    () => {
      for (const j of jobs ?? []) context.request.jobs[j].interruptible = change.interruptible;
    },
  );
}

function restrictSites(context: Context, change: RestrictSites): void {
  let jobs: number[] | undefined;
  ifValid(
    context,
    () => {
      jobs = selectJobs(context.request, change.jobs, `${context.path}.jobs`, context.violations);
      const path = `${context.path}.allowedSites`;
      if (change.allowedSites.length === 0) {
        context.violations.add(path, 'got an empty list; expected at least one site id (each job keeps its home site as well)');
      }
      const known = context.request.sites.map((s) => s.id);
      change.allowedSites.forEach((id, k) => {
        const earlier = change.allowedSites.indexOf(id);
        if (!known.includes(id)) context.violations.add(`${path}[${k}]`, unknownIdMessage(id, 'site', known));
        else if (earlier < k) context.violations.add(`${path}[${k}]`, `got ${describeJsonValue(id)} again (already allowedSites[${earlier}]); expected each site at most once`);
      });
    },
    () => {
      for (const j of jobs ?? []) {
        const job = context.request.jobs[j];
        job.allowedSites = change.allowedSites.includes(job.homeSite) ? [...change.allowedSites] : [...change.allowedSites, job.homeSite];
      }
    },
  );
}

function setCarbonPrice(context: Context, change: SetCarbonPrice): void {
  ifValid(
    context,
    () => checkNumber(change.pricePerTonne, { min: 0, unit: 'per tonne CO2eq' }, `${context.path}.pricePerTonne`, context.violations),
    () => {
      // cost + price × tonnes = costWeight 1 × cost + (price / 1000) × kg.
      const risk = context.request.objective;
      context.request.objective = { carbonWeight: change.pricePerTonne / 1_000, costWeight: 1, riskMeasure: risk?.riskMeasure ?? 0, cvarAlpha: risk?.cvarAlpha ?? 0 };
    },
  );
}

function replaceForecasts(context: Context, change: ReplaceForecasts, readFile: ReadTextFile | undefined): void {
  const forecasts = loadSiteForecasts(change, context.path, context.request, readFile, context.violations);
  for (const entry of forecasts ?? []) {
    const site = context.request.sites.find((s) => s.id === entry.siteId) as Site;
    if (entry.greenSupplyMw.length > 0) site.greenSupplyMw = [...entry.greenSupplyMw];
    if (entry.carbonIntensityGPerKwh.length > 0) site.carbonIntensityGPerKwh = [...entry.carbonIntensityGPerKwh];
    if (entry.pricePerMwh.length > 0) site.pricePerMwh = [...entry.pricePerMwh];
    if (entry.marginalIntensityGPerKwh.length > 0) site.marginalIntensityGPerKwh = [...entry.marginalIntensityGPerKwh];
  }
}
