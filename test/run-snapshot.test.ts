import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountSchedule } from '../solver/accounting/accountSchedule.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { timestampToMs } from '../src/data/timestampToMs.js';
import { PlanRequest, Site, type Job } from '../src/generated/cosched/v1/plan_request.js';
import { accountExecutedWork } from '../src/standing/accountExecutedWork.js';
import { buildRunSnapshot, type SnapshotForecast } from '../src/standing/buildRunSnapshot.js';
import { plannedStateOfCharge, type PlannedStateOfCharge } from '../src/standing/plannedStateOfCharge.js';
import { PlanRunInput } from '../src/generated/cosched/v1/standing_planner_service.js';
import type { ProgressRecordRow, StoredForecast, StoredRun } from '../src/store/PlannerStore.js';
import { backlogScenario, ts } from './factories/backlogScenario.js';

const h = 3_600_000;
const t0 = Date.UTC(2026, 0, 5, 0);

/** A 3-hour request with a battery (1 MWh at its start) at site a and none at site b. */
function request3h(): PlanRequest {
  const flat = [1, 1, 1];
  const site = (id: string, storage?: Site['storage']): Site => Site.fromPartial({ id, greenSupplyMw: flat, carbonIntensityGPerKwh: flat, storage });
  return PlanRequest.fromPartial({ sites: [site('a', { energyMwh: 2, powerMw: 1, roundTripEfficiency: 0.9, initialMwh: 1, chargeFromGrid: false }), site('b')] });
}

function forecast(site: Site, startMs: number, version = 1): SnapshotForecast {
  const stored: StoredForecast = { siteId: site.id, version, startMs, hours: site.greenSupplyMw.length, siteJson: '', source: '', createdMs: 0, listKey: '' };
  return { stored, site };
}

describe('a run snapshot (buildRunSnapshot)', () => {
  const { sites, jobs } = backlogScenario(t0, 9);

  it('plans from the hour now falls in, with remaining work, and cuts every site to the horizon', () => {
    const snapshot = buildRunSnapshot({
      nowMs: t0 + 5 * h + 1_234,
      horizonHours: 0,
      jobs: jobs.map((spec, k) => ({ id: spec.id, spec, doneGpuHours: k === 1 ? 4 : 0 })),
      progress: [],
      forecasts: sites.map((s) => forecast(s, t0)),
    });
    expect(snapshot.planStartMs).toBe(t0 + 5 * h);
    const request = snapshot.request!;
    expect(timestampToMs(request.horizon!.start!)).toBe(t0 + 5 * h);
    expect(request.sites.every((s) => s.greenSupplyMw.length === snapshot.horizonHours && s.carbonIntensityGPerKwh.length === snapshot.horizonHours)).toBe(true);
    expect(request.sites[0].greenSupplyMw[0]).toBe(sites.find((s) => s.id === request.sites[0].id)!.greenSupplyMw[5]);
    expect(request.jobs.find((j) => j.id === jobs[1].id)!.gpuHours).toBe(jobs[1].gpuHours - 4);
    expect(() => validatePlanRequest(request)).not.toThrow();
  });

  it('pins a started non-interruptible job to its site, from plan start, for exactly its remaining block', () => {
    const job = jobs.find((j) => !j.interruptible)!;
    const progress: ProgressRecordRow[] = [
      { jobId: job.id, siteId: 'guian', hourMs: t0 + 3 * h, gpus: job.maxGpus, reportedMs: 0 },
      { jobId: job.id, siteId: 'guian', hourMs: t0 + 4 * h, gpus: job.maxGpus, reportedMs: 0 },
    ];
    const snapshot = buildRunSnapshot({
      nowMs: t0 + 5 * h,
      horizonHours: 0,
      jobs: [{ id: job.id, spec: { ...job, allowedSites: [] }, doneGpuHours: 2 * job.maxGpus }],
      progress,
      forecasts: sites.map((s) => forecast(s, t0)),
    });
    const pinned = snapshot.request!.jobs[0];
    expect(pinned.allowedSites).toEqual(['guian']);
    expect(pinned.homeSite).toBe('guian');
    expect(timestampToMs(pinned.release!)).toBe(t0 + 5 * h);
    const blockHours = Math.ceil((job.gpuHours - 2 * job.maxGpus) / job.maxGpus);
    expect(timestampToMs(pinned.deadline!)).toBe(t0 + (5 + blockHours) * h);
    expect(snapshot.carryOver[0].pinnedSite).toBe('guian');
  });

  it('marks jobs past their deadline missed, leaves out jobs with no forecast, and names sites whose forecast does not cover the start', () => {
    const late = { ...jobs[0], deadline: ts(t0 + 2 * h), release: ts(t0) };
    const elsewhere = { ...jobs[2], allowedSites: ['zhongwei'], homeSite: 'zhongwei' };
    const snapshot = buildRunSnapshot({
      nowMs: t0 + 3 * h,
      horizonHours: 12,
      jobs: [late, elsewhere, jobs[3]].map((spec) => ({ id: spec.id, spec, doneGpuHours: 0 })),
      progress: [],
      forecasts: [forecast(sites[0], t0), forecast(sites[1], t0 + 10 * h, 2)],
    });
    expect(snapshot.missed.map((m) => m.id)).toEqual([late.id]);
    expect(snapshot.missed[0].reason).toMatch(/deadline 2026-01-05T02:00Z passed/);
    expect(snapshot.leftOut.map((m) => m.id)).toEqual([elsewhere.id]);
    expect(snapshot.warnings.join('\n')).toMatch(/site datong left out: its latest forecast \(sites\/datong\/forecasts\/2\)/);
    expect(snapshot.horizonHours).toBe(12);
    expect(snapshot.forecastVersions).toEqual(['sites/helingeer/forecasts/1']);
  });

  it('starts a battery where the previous plan left it, unless a forecast states a newer charge', () => {
    const battery = { ...sites[0], storage: { energyMwh: 4, powerMw: 1, roundTripEfficiency: 0.9, initialMwh: 3, finalMwhMin: 2, chargeFromGrid: false } };
    const snapshotAt = (hour: number, startMs: number, planned?: Map<string, PlannedStateOfCharge>, version = 1) =>
      buildRunSnapshot({ nowMs: t0 + hour * h, horizonHours: 0, jobs: jobs.slice(0, 1).map((spec) => ({ id: spec.id, spec, doneGpuHours: 0 })), progress: [], forecasts: [forecast(battery, startMs, version)], plannedStateOfCharge: planned });
    // The plan before this run started at hour 2 with version 1 of the forecast.
    const carried = new Map([[battery.id, { stateOfChargeMwh: 1.25, forecastVersion: 'sites/helingeer/forecasts/1', runPlanStartMs: t0 + 2 * h }]]);

    // Carried: same version; final_mwh_min 2 > 1.25 is lowered.
    const later = snapshotAt(5, t0, carried);
    expect(later.request!.sites[0].storage).toMatchObject({ initialMwh: 1.25, finalMwhMin: 1.25, energyMwh: 4 });
    expect(later.warnings.join('\n')).toMatch(/final_mwh_min 2 MWh of sites\/helingeer\/forecasts\/1 lowered to the 1.25 MWh/);
    expect(() => validatePlanRequest(later.request!)).not.toThrow();
    // Carried too: version 2 revises the weather from hour 0, before that plan's start; its charge is older news.
    expect(snapshotAt(5, t0, carried, 2).request!.sites[0].storage).toMatchObject({ initialMwh: 1.25 });
    // A forecast that starts at the plan start states the battery's charge there.
    expect(snapshotAt(5, t0 + 5 * h, carried).request!.sites[0].storage).toMatchObject({ initialMwh: 3, finalMwhMin: 2 });
    // Version 2 from hour 3, after that plan's start, which did not have it; or no plan before: the forecast's, with a warning.
    const newer = snapshotAt(5, t0 + 3 * h, carried, 2);
    expect(newer.request!.sites[0].storage).toMatchObject({ initialMwh: 3 });
    expect(newer.warnings.join('\n')).toMatch(/site helingeer: its battery starts the plan at 3 MWh, the state of charge that sites\/helingeer\/forecasts\/2 gives for 2026-01-05T03:00Z \(newer than the plan before this run to the plan start 2026-01-05T05:00Z\)/);
    expect(snapshotAt(5, t0).warnings.join('\n')).toMatch(/gives for 2026-01-05T00:00Z \(no earlier plan carries the battery to the plan start 2026-01-05T05:00Z\)/);
    // Never beyond the battery: a planned 4.0000001 MWh starts at 4.
    const over = new Map([[battery.id, { stateOfChargeMwh: 4.0000001, forecastVersion: 'sites/helingeer/forecasts/1', runPlanStartMs: t0 }]]);
    expect(snapshotAt(5, t0, over).request!.sites[0].storage!.initialMwh).toBe(4);
  });

  it('plannedStateOfCharge reads a run: its start in its first hour, the end of the hour before later, the last hour after its horizon', () => {
    const run = (extra: Partial<StoredRun>): StoredRun => ({
      id: 'r', seq: 1, state: 'succeeded', trigger: 'api', createdMs: 0, nowMs: t0, planStartMs: t0, horizonEndMs: t0 + 3 * h, paramsJson: '{}', metadataJson: '{}',
      inputJson: JSON.stringify(PlanRunInput.toJSON({ run: 'operations/r', request: request3h(), forecastVersions: ['sites/b/forecasts/7', 'sites/a/forecasts/2'], jobs: [] })),
      responseJson: JSON.stringify({ sites: [{ siteId: 'a', stateOfChargeMwh: [0.9, 0.8, 0.7] }, { siteId: 'b', stateOfChargeMwh: [] }] }),
      errorJson: '', owner: '', leaseUntilMs: 0, cancelRequested: false, scheduledMs: 0, requestId: '', method: '', fingerprint: '',
      ...extra,
    } as StoredRun);
    const at = (hour: number, extra: Partial<StoredRun> = {}) => Object.fromEntries(plannedStateOfCharge(run(extra), t0 + hour * h));
    expect(at(0)).toEqual({ a: { stateOfChargeMwh: 1, forecastVersion: 'sites/a/forecasts/2', runPlanStartMs: t0 } });
    expect(at(1)).toEqual({ a: { stateOfChargeMwh: 0.9, forecastVersion: 'sites/a/forecasts/2', runPlanStartMs: t0 } });
    expect(at(3).a.stateOfChargeMwh).toBe(0.7);
    expect(at(9).a.stateOfChargeMwh).toBe(0.7); // after its horizon the battery rests
    expect(at(-1)).toEqual({});
    expect(at(1, { state: 'failed' })).toEqual({});
    expect(at(1, { responseJson: '' })).toEqual({});
    expect(at(1, { inputJson: JSON.stringify(PlanRunInput.toJSON({ run: 'operations/r', request: undefined, forecastVersions: [], jobs: [] })) })).toEqual({});
  });

  it('sends every job without dataSite, so that a dataSite naming a site without a forecast cannot fail the run', () => {
    const [a, b] = [sites[0].id, sites[1].id];
    // No data: a dataSite at a home without a forecast (the home is replaced), or at another site without one.
    const stray = [{ ...jobs[1], id: 'old-home', allowedSites: [b, 'nowhere'], homeSite: 'nowhere', dataSite: 'nowhere' }, { ...jobs[1], id: 'elsewhere', allowedSites: [a, 'nowhere'], homeSite: a, dataSite: 'nowhere' }];
    const snapshot = buildRunSnapshot({ nowMs: t0, horizonHours: 0, jobs: stray.map((spec) => ({ id: spec.id, spec, doneGpuHours: 0 })), progress: [], forecasts: [forecast(sites[0], t0), forecast(sites[1], t0)] });
    expect(snapshot.request!.jobs.map((j) => [j.id, j.homeSite, j.dataSite])).toEqual([['old-home', b, ''], ['elsewhere', a, '']]);
    expect(() => validatePlanRequest(snapshot.request!)).not.toThrow();
  });

  it('leaves out a job whose data is away from its home site or at a site without a forecast (runs have no links)', () => {
    const withData = (id: string, homeSite: string, dataSite: string): Job => ({ ...jobs[1], id, allowedSites: [], homeSite, datasetGb: 100, dataSite });
    const [a, b] = [sites[0].id, sites[1].id];
    const snapshot = buildRunSnapshot({
      nowMs: t0,
      horizonHours: 0,
      jobs: [withData('away', a, b), withData('gone', 'nowhere', ''), withData('home', a, a)].map((spec) => ({ id: spec.id, spec, doneGpuHours: 0 })),
      progress: [],
      forecasts: [forecast(sites[0], t0), forecast(sites[1], t0)],
    });
    expect(snapshot.leftOut).toEqual([
      { id: 'away', reason: `its data is at ${b}, away from its home site ${a}, and the standing planner has no links to move it` },
      { id: 'gone', reason: 'its data is at nowhere, which has no forecast covering the plan start 2026-01-05T00:00Z' },
    ]);
    expect(snapshot.request!.jobs.map((j) => j.id)).toEqual(['home']);
    expect(() => validatePlanRequest(snapshot.request!)).not.toThrow();
  });

  it('property: planned work + done = the job, the horizon fits every forecast, and the request is valid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 9, maxLength: 9 }),
        fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 3, maxLength: 3 }),
        (nowHour, doneList, offsets) => {
          const snapshot = buildRunSnapshot({
            nowMs: t0 + nowHour * h,
            horizonHours: 0,
            jobs: jobs.map((spec, k) => ({ id: spec.id, spec, doneGpuHours: Math.min(spec.gpuHours, doneList[k]) })),
            progress: [],
            forecasts: sites.map((s, i) => forecast(s, t0 + offsets[i] * h)),
          });
          const start = t0 + nowHour * h;
          for (const f of sites.map((s, i) => ({ startMs: t0 + offsets[i] * h, end: t0 + (offsets[i] + 48) * h }))) {
            if (f.startMs <= start && start < f.end) expect(start + snapshot.horizonHours * h).toBeLessThanOrEqual(f.end);
          }
          if (!snapshot.request) return;
          expect(() => validatePlanRequest(snapshot.request!)).not.toThrow();
          for (const planned of snapshot.request.jobs) {
            const k = jobs.findIndex((j) => j.id === planned.id);
            expect(planned.gpuHours + Math.min(jobs[k].gpuHours, doneList[k])).toBeCloseTo(jobs[k].gpuHours, 9);
            expect(timestampToMs(jobs[k].deadline!)).toBeGreaterThan(start);
          }
          const accounted = new Set([...snapshot.request.jobs.map((j) => j.id), ...snapshot.missed.map((m) => m.id), ...snapshot.done, ...snapshot.leftOut.map((m) => m.id)]);
          expect(accounted.size).toBe(jobs.length);
        },
      ),
      { seed: 11, numRuns: 150 },
    );
  });
});

describe('the executed past (accountExecutedWork)', () => {
  const { sites } = backlogScenario(t0, 3);
  const power = new Map([['a', 0.7], ['b', 1.1]]);

  it('accounts reported work exactly as a plan with those runs would be accounted, base load included', () => {
    const progress: ProgressRecordRow[] = [
      { jobId: 'a', siteId: 'helingeer', hourMs: t0 + h, gpus: 64, reportedMs: 0 },
      { jobId: 'b', siteId: 'datong', hourMs: t0 + 2 * h, gpus: 32.5, reportedMs: 0 },
    ];
    const work = accountExecutedWork(t0, t0 + 4 * h, progress, sites.map((s) => forecast(s, t0)), power);
    // The same hours as a Problem with those runs.
    const problem = validatePlanRequest({
      forecastScenarios: [],
      links: [],
      horizon: { start: ts(t0), hours: 4 },
      sites: sites.map((s) => ({ ...s, greenSupplyMw: s.greenSupplyMw.slice(0, 4), carbonIntensityGPerKwh: s.carbonIntensityGPerKwh.slice(0, 4), baseLoadMw: s.baseLoadMw.slice(0, 4) })),
      jobs: [
        { id: 'a', gpuHours: 64, maxGpus: 64, minGpus: undefined, gpuPowerKw: 0.7, release: ts(t0), deadline: ts(t0 + 4 * h), allowedSites: [], homeSite: 'helingeer', interruptible: true, datasetGb: undefined, dataSite: '' } as Job,
        { id: 'b', gpuHours: 32.5, maxGpus: 64, minGpus: undefined, gpuPowerKw: 1.1, release: ts(t0), deadline: ts(t0 + 4 * h), allowedSites: [], homeSite: 'datong', interruptible: true, datasetGb: undefined, dataSite: '' } as Job,
      ],
      objective: undefined,
      options: undefined,
    });
    const site = (id: string) => problem.sites.findIndex((s) => s.id === id);
    const expected = accountSchedule(problem, [
      { job: 0, runs: [{ site: site('helingeer'), startHour: 1, hours: 1, gpus: 64 }], doneGpuHours: 64, unmetGpuHours: 0, lateHours: 0, reason: '' },
      { job: 1, runs: [{ site: site('datong'), startHour: 2, hours: 1, gpus: 32.5 }], doneGpuHours: 32.5, unmetGpuHours: 0, lateHours: 0, reason: '' },
    ]).totals;
    expect(work.gpuHours).toBe(96.5);
    expect(work.records).toBe(2);
    expect(work.emissionsKg).toBeCloseTo(expected.emissionsKg, 9);
    expect(work.energyMwh).toBeCloseTo(expected.energyMwh, 9);
    expect(work.greenMwh).toBeCloseTo(expected.greenMwh, 9);
    expect(work.unaccountedGpuHours).toBe(0);
  });

  it('uses the newest forecast version of each hour, and counts work no forecast covers as unaccounted', () => {
    const newer = { ...sites[0], carbonIntensityGPerKwh: sites[0].carbonIntensityGPerKwh.map(() => 1000), greenSupplyMw: sites[0].greenSupplyMw.map(() => 0) };
    const progress: ProgressRecordRow[] = [
      { jobId: 'a', siteId: 'helingeer', hourMs: t0 + 2 * h, gpus: 100, reportedMs: 0 },
      { jobId: 'a', siteId: 'zhongwei', hourMs: t0 + 2 * h, gpus: 10, reportedMs: 0 },
    ];
    const work = accountExecutedWork(t0 + 2 * h, t0 + 3 * h, progress, [forecast(sites[0], t0, 1), forecast({ ...newer, baseLoadMw: [] }, t0 + 2 * h, 2)], power);
    // Facility = pue × 100 × 0.7 kW = 84 kW at 1000 g/kWh for one hour, nothing green.
    expect(work.emissionsKg).toBeCloseTo(sites[0].pue * 0.07 * 1000, 9);
    expect(work.unaccountedGpuHours).toBe(10);
    expect(work.gpuHours).toBe(110);
  });
});
