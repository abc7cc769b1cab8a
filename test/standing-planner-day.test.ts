import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPlan } from './helpers/grpcCalls.js';
import { runMetadata, runResponse, standingClients, unary, waitDone, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { openTestStore, testStoreKinds, type TestStore } from './helpers/testStores.js';
import { backlogScenario, ts } from './factories/backlogScenario.js';
import { JobState, PlanRunState, type ProgressRecord } from '../src/generated/cosched/v1/standing_planner_service.js';
import type { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { timestampToMs } from '../src/data/timestampToMs.js';

const msPerHour = 3_600_000;
/** A day in the past, so that progress for its first hours is "what ran". */
const t0 = Date.UTC(2026, 0, 5, 0);

/** Emissions of a plan's site profiles in hours [from, to). */
function emissionsInHours(response: PlanResponse, from: number, to: number): number {
  return response.sites.reduce((sum, site) => sum + site.emissionsKg.slice(from, to).reduce((a, b) => a + b, 0), 0);
}

describe.each(testStoreKinds)('a day in the life of the standing planner over gRPC (%s)', (kind) => {
  let testStore: TestStore | undefined;
  let server: TestServer;
  let clients: StandingClients;
  let plan1: PlanResponse;
  let run1Name: string;
  const scenario = backlogScenario(t0, 30);

  beforeAll(async () => {
    if (kind === 'postgres') {
      testStore = await openTestStore('postgres');
      server = await startTestServer({ store: testStore.url, workers: 2 });
    } else {
      server = await startTestServer({ workers: 2 });
    }
    clients = standingClients(server.address);
  });
  afterAll(async () => {
    clients?.close();
    await server?.close();
    await testStore?.dispose();
  });

  it('takes 30 jobs and the forecasts, plans them, and dispatches what the plan says', async () => {
    const created = await unary(clients.planner, clients.planner.batchCreateJobs, { requests: scenario.jobs.map((job) => ({ job, requestId: '' })), requestId: 'day-jobs' });
    expect(created.jobs).toHaveLength(30);
    expect(created.jobs.every((j) => j.state === JobState.JOB_STATE_PENDING)).toBe(true);
    const put = await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
      requests: scenario.sites.map((site) => ({ siteForecast: { name: '', site, start: ts(t0), version: 0, createTime: undefined, source: 'test' }, requestId: '' })),
      requestId: '',
    });
    expect(put.siteForecasts.map((f) => f.name)).toEqual(['sites/helingeer/forecasts/1', 'sites/datong/forecasts/1', 'sites/guian/forecasts/1']);

    const started = await unary(clients.planner, clients.planner.startPlanRun, { now: ts(t0), horizonHours: 0, objective: undefined, options: undefined, requestId: '' });
    run1Name = started.name;
    expect(run1Name).toMatch(/^operations\/run-/);
    const done = await waitDone(clients, run1Name);
    expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    plan1 = runResponse(done);
    expect(plan1.check?.passed).toBe(true);
    expect(plan1.summary?.unmetGpuHours).toBeLessThan(1e-6);
    expect(runMetadata(done).jobs).toBe(30);

    const jobs = await unary(clients.planner, clients.planner.listJobs, { pageSize: 0, pageToken: '', filter: 'state = PLANNED' });
    expect(jobs.totalSize).toBe(30);

    // Dispatch = the plan's allocations, site by site, hour by hour.
    for (const site of scenario.sites) {
      for (let h = 0; h < 6; h++) {
        const dispatch = await unary(clients.planner, clients.planner.getDispatch, { siteId: site.id, hour: ts(t0 + h * msPerHour + 1_800_000) });
        expect(dispatch.planRun).toBe(run1Name);
        const expected = new Map<string, number>();
        for (const plan of plan1.jobs) {
          for (const a of plan.allocations) {
            const start = (timestampToMs(a.start!)! - t0) / msPerHour;
            if (a.siteId === site.id && start <= h && h < start + a.hours) expected.set(`jobs/${plan.jobId}`, (expected.get(`jobs/${plan.jobId}`) ?? 0) + a.gpus);
          }
        }
        expect(new Map(dispatch.entries.map((e) => [e.job, e.gpus]))).toEqual(expected);
      }
    }
  });

  it('after 6 hours of progress, re-plans with the executed hours frozen and accounts that add up', async () => {
    // The scheduler runs what dispatch said for hours 0-5 and reports it.
    const records: ProgressRecord[] = [];
    for (const site of scenario.sites) {
      for (let h = 0; h < 6; h++) {
        const dispatch = await unary(clients.planner, clients.planner.getDispatch, { siteId: site.id, hour: ts(t0 + h * msPerHour) });
        for (const e of dispatch.entries) records.push({ job: e.job, siteId: site.id, start: ts(t0 + h * msPerHour), hours: 1, gpus: e.gpus, finished: false });
      }
    }
    expect(records.length).toBeGreaterThan(10);
    const reported = await unary(clients.planner, clients.planner.reportProgress, { records, requestId: 'day-progress' });
    expect(reported.jobs.every((j) => j.state === JobState.JOB_STATE_RUNNING || j.state === JobState.JOB_STATE_DONE)).toBe(true);
    // The same report again (same request_id) is answered, not applied twice.
    const again = await unary(clients.planner, clients.planner.reportProgress, { records, requestId: 'day-progress' });
    expect(again.jobs.map((j) => j.doneGpuHours)).toEqual(reported.jobs.map((j) => j.doneGpuHours));

    const run2 = await waitDone(clients, (await unary(clients.planner, clients.planner.startPlanRun, { now: ts(t0 + 6 * msPerHour), horizonHours: 0, objective: undefined, options: undefined, requestId: '' })).name);
    const meta2 = runMetadata(run2);
    expect(meta2.state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
    expect(meta2.replaces).toBe(run1Name);
    const plan2 = runResponse(run2);
    expect(plan2.check?.passed).toBe(true);

    // The executed past: exactly the reported hours, accounted as plan 1 accounted them.
    const executed = meta2.executed!;
    expect(timestampToMs(executed.start!)).toBe(t0);
    expect(timestampToMs(executed.end!)).toBe(t0 + 6 * msPerHour);
    expect(executed.gpuHours).toBeCloseTo(records.reduce((s, r) => s + r.gpus, 0), 9);
    expect(executed.unaccountedGpuHours).toBe(0);
    const plan1Head = emissionsInHours(plan1, 0, 6);
    const plan1Tail = emissionsInHours(plan1, 6, 48);
    expect(executed.emissionsKg).toBeCloseTo(plan1Head, 6);
    expect(plan1Head + plan1Tail).toBeCloseTo(plan1.summary!.emissionsKg, 6);
    // The rest is optimal for what remains: plan 1's own tail is one way to do it, so plan 2 is no worse.
    expect(plan2.summary!.unmetGpuHours).toBeLessThan(1e-6);
    expect(plan2.summary!.emissionsKg).toBeLessThanOrEqual(plan1Tail + 1e-6 * Math.max(1, plan1Tail));
    expect(executed.emissionsKg + plan2.summary!.emissionsKg).toBeLessThanOrEqual(plan1.summary!.emissionsKg + 1e-6 * plan1.summary!.emissionsKg);

    // Nothing is planned before the new plan start; started non-interruptible jobs continue where they run, at once.
    const input = await unary(clients.planner, clients.planner.getPlanRunInput, { name: run2.name });
    expect(timestampToMs(input.request!.horizon!.start!)).toBe(t0 + 6 * msPerHour);
    const pinned = input.jobs.filter((j) => j.pinnedSite !== '');
    expect(pinned.length).toBeGreaterThan(0);
    for (const carry of pinned) {
      const id = carry.job.slice('jobs/'.length);
      const spec = scenario.jobs.find((j) => j.id === id)!;
      expect(spec.interruptible).toBe(false);
      const plan = plan2.jobs.find((p) => p.jobId === id)!;
      expect(plan.allocations.length).toBeGreaterThan(0);
      expect(plan.allocations.every((a) => a.siteId === carry.pinnedSite)).toBe(true);
      expect(timestampToMs(plan.allocations[0].start!)).toBe(t0 + 6 * msPerHour);
      const plannedWork = plan.allocations.reduce((s, a) => s + a.gpus * a.hours, 0);
      expect(plannedWork + carry.doneGpuHours).toBeCloseTo(spec.gpuHours, 6);
    }
    for (const plan of plan2.jobs) {
      for (const a of plan.allocations) expect(timestampToMs(a.start!)!).toBeGreaterThanOrEqual(t0 + 6 * msPerHour);
      const carry = input.jobs.find((j) => j.job === `jobs/${plan.jobId}`)!;
      expect(carry.doneGpuHours + plan.doneGpuHours).toBeCloseTo(scenario.jobs.find((j) => j.id === plan.jobId)!.gpuHours, 6);
    }

    // The run is reproducible bit for bit: planning its kept input again gives the same schedule.
    const replanned = await callPlan(server.client, input.request!);
    expect(replanned.summary!.emissionsKg).toBe(plan2.summary!.emissionsKg);
    expect(replanned.jobs.map((j) => j.allocations)).toEqual(plan2.jobs.map((j) => j.allocations));

    // Jobs show the new plan; dispatch now follows run 2.
    const job = await unary(clients.planner, clients.planner.getJob, { name: pinned[0].job });
    expect(job.planRun).toBe(run2.name);
    expect(job.state).toBe(JobState.JOB_STATE_RUNNING);
    const dispatch = await unary(clients.planner, clients.planner.getDispatch, { siteId: pinned[0].pinnedSite, hour: ts(t0 + 6 * msPerHour) });
    expect(dispatch.planRun).toBe(run2.name);
    expect(dispatch.entries.map((e) => e.job)).toContain(pinned[0].job);
  });
});
