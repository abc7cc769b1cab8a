import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timestampToMs } from '../src/data/timestampToMs.js';
import type { Job, Site } from '../src/generated/cosched/v1/plan_request.js';
import { BacklogJob, JobState, PlanRunState, type StandingPlannerServiceClient } from '../src/generated/cosched/v1/standing_planner_service.js';
import { ts } from './factories/backlogScenario.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { failure, runMetadata, runResponse, standingClients, unary, waitDone, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { openTestStore, type TestStore } from './helpers/testStores.js';

const h = 3_600_000;
const t0 = Date.UTC(2026, 1, 2, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One site with `hours` of flat forecasts from t0. */
function site(id: string, hours = 24, gpuCapacity = 64): Site {
  return { id, name: id, timeZone: 'UTC', gpuCapacity, pue: 1.2, greenSupplyMw: new Array(hours).fill(0.01), carbonIntensityGPerKwh: Array.from({ length: hours }, (_, k) => 300 + 10 * k), pricePerMwh: [], baseLoadMw: [], gridImportLimitMw: undefined, storage: undefined, marginalIntensityGPerKwh: [] };
}

function job(id: string, over: Partial<Job> = {}): Job {
  return { id, gpuHours: 40, maxGpus: 8, minGpus: undefined, gpuPowerKw: 0.7, release: ts(t0), deadline: ts(t0 + 12 * h), allowedSites: [], homeSite: 'a', interruptible: true, datasetGb: undefined, dataSite: '', ...over };
}


async function put(clients: StandingClients, sites: Site[], startMs = t0): Promise<void> {
  await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
    requests: sites.map((s) => ({ siteForecast: { name: '', site: s, start: ts(startMs), version: 0, createTime: undefined, source: '' }, requestId: '' })),
    requestId: '',
  });
}

async function run(clients: StandingClients, nowMs: number, horizonHours = 0) {
  const operation = await unary(clients.planner, clients.planner.startPlanRun, { now: ts(nowMs), horizonHours, objective: undefined, options: undefined, requestId: '' });
  const done = await waitDone(clients, operation.name);
  expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
  return done;
}

const report = (planner: StandingPlannerServiceClient, records: Array<{ job: string; siteId: string; startMs: number; hours?: number; gpus: number; finished?: boolean }>) =>
  unary(planner, planner.reportProgress, {
    records: records.map((r) => ({ job: r.job, siteId: r.siteId, start: ts(r.startMs), hours: r.hours ?? 1, gpus: r.gpus, finished: r.finished ?? false })),
    requestId: '',
  });

describe('the standing planner at the edges', () => {
  let server: TestServer;
  let clients: StandingClients;
  beforeAll(async () => {
    server = await startTestServer({ workers: 2 });
    clients = standingClients(server.address);
    await put(clients, [site('a'), site('b')]);
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it('a started non-interruptible job past its deadline is not MISSED: it runs on, and its late progress is taken', async () => {
    await unary(clients.planner, clients.planner.createJob, { job: job('block', { interruptible: false, gpuHours: 48, maxGpus: 8, deadline: ts(t0 + 6 * h) }), requestId: '' });
    await report(clients.planner, [{ job: 'block', siteId: 'b', startMs: t0 + 2 * h, hours: 3, gpus: 8 }]);
    // Plan at 05:00 would end the block at 08:00, past the 06:00 deadline; a run at 07:00 too.
    const first = await run(clients, t0 + 5 * h);
    expect(runMetadata(first).warnings.join('\n')).toMatch(/job block continues at b until 2026-02-02T08:00Z, past its deadline 2026-02-02T06:00Z/);
    await report(clients.planner, [{ job: 'block', siteId: 'b', startMs: t0 + 5 * h, hours: 2, gpus: 8 }]);
    const second = await run(clients, t0 + 7 * h);
    const plan = runResponse(second).jobs.find((j) => j.jobId === 'block')!;
    expect(plan.allocations.map((a) => [a.siteId, timestampToMs(a.start!), a.hours, a.gpus])).toEqual([['b', t0 + 7 * h, 1, 8]]);
    expect((await unary(clients.planner, clients.planner.getJob, { name: 'jobs/block' })).state).toBe(JobState.JOB_STATE_RUNNING);
    const finished = await report(clients.planner, [{ job: 'block', siteId: 'b', startMs: t0 + 7 * h, gpus: 8 }]);
    expect(finished.jobs[0].state).toBe(JobState.JOB_STATE_DONE);
  });

  it('an interruptible job past its deadline with work left is MISSED, and may still report what it did (then DONE)', async () => {
    await unary(clients.planner, clients.planner.createJob, { job: job('late', { gpuHours: 16, deadline: ts(t0 + 8 * h), release: ts(t0 + 7 * h), allowedSites: ['a'] }), requestId: '' });
    await run(clients, t0 + 8 * h);
    const missed = await unary(clients.planner, clients.planner.getJob, { name: 'jobs/late' });
    expect(missed.state).toBe(JobState.JOB_STATE_MISSED);
    expect(missed.stateReason).toMatch(/deadline 2026-02-02T08:00Z passed with 16 of 16 GPU-hours left/);
    const still = await report(clients.planner, [{ job: 'late', siteId: 'a', startMs: t0 + 7 * h, gpus: 8 }]);
    expect(still.jobs[0].state).toBe(JobState.JOB_STATE_MISSED);
    const done = await report(clients.planner, [{ job: 'late', siteId: 'a', startMs: t0 + 8 * h, gpus: 8 }]);
    expect(done.jobs[0].state).toBe(JobState.JOB_STATE_DONE);
  });

  it('a pinned block longer than the horizon is planned up to the horizon end, not dropped', async () => {
    await unary(clients.planner, clients.planner.createJob, { job: job('long', { interruptible: false, gpuHours: 80, maxGpus: 8, homeSite: 'a', deadline: ts(t0 + 23 * h) }), requestId: '' });
    await report(clients.planner, [{ job: 'long', siteId: 'a', startMs: t0 + 8 * h, hours: 1, gpus: 8 }]);
    const operation = await run(clients, t0 + 9 * h, 3);
    const plan = runResponse(operation).jobs.find((j) => j.jobId === 'long')!;
    expect(plan.unmetGpuHours).toBe(0);
    expect(plan.allocations.map((a) => [a.siteId, timestampToMs(a.start!), a.hours, a.gpus])).toEqual([['a', t0 + 9 * h, 3, 8]]);
    expect(runMetadata(operation).warnings.join('\n')).toMatch(/job long: its block runs to 2026-02-02T18:00Z, past the horizon end 2026-02-02T12:00Z; this plan holds its first 3 h/);
    await unary(clients.planner, clients.planner.cancelJob, { name: 'jobs/long', reason: '' });
  });

  it('late and revised reports are accounted once, as corrections in the next run', async () => {
    // The runs so far planned from 05:00, 07:00, 08:00, 09:00. Revise an hour before 09:00 and add a late one.
    const r1 = await run(clients, t0 + 10 * h);
    expect(runMetadata(r1).corrections).toBeUndefined();
    await report(clients.planner, [
      { job: 'block', siteId: 'b', startMs: t0 + 3 * h, gpus: 0 },
      { job: 'late', siteId: 'a', startMs: t0 + 6 * h, gpus: 0 },
    ]).catch(() => undefined); // block and late are DONE: refused
    await unary(clients.planner, clients.planner.createJob, { job: job('revised', { gpuHours: 100, maxGpus: 16, deadline: ts(t0 + 20 * h) }), requestId: '' });
    await report(clients.planner, [{ job: 'revised', siteId: 'a', startMs: t0 + 4 * h, gpus: 16 }]);
    const r2 = await run(clients, t0 + 11 * h);
    const corrections = runMetadata(r2).corrections!;
    expect(corrections.gpuHours).toBeCloseTo(16, 9);
    expect(corrections.records).toBe(1);
    // 16 GPUs × 0.7 kW × PUE 1.2 = 0.01344 MW, less the 0.01 MW green, at 340 g/kWh (hour 4 of site a).
    expect(corrections.emissionsKg).toBeCloseTo((0.01344 - 0.01) * 340, 9);
    expect(timestampToMs(corrections.start!)).toBe(t0 + 4 * h);
    expect(timestampToMs(corrections.end!)).toBe(t0 + 10 * h);
    // Revise it: the next run's correction is the difference.
    await report(clients.planner, [{ job: 'revised', siteId: 'a', startMs: t0 + 4 * h, gpus: 12 }]);
    const r3 = await run(clients, t0 + 12 * h);
    expect(runMetadata(r3).corrections!.gpuHours).toBeCloseTo(-4, 9);
    expect(runMetadata(r3).corrections!.emissionsKg).toBeCloseTo((0.01008 - 0.01) * 340 - (0.01344 - 0.01) * 340, 9);
    const r4 = await run(clients, t0 + 13 * h);
    expect(runMetadata(r4).corrections).toBeUndefined();
  });

  it('refuses a run dated after the clock or before the newest plan; refuses too many record-hours', async () => {
    const future = await failure(unary(clients.planner, clients.planner.startPlanRun, { now: ts(Date.now() + 3 * h), horizonHours: 0, objective: undefined, options: undefined, requestId: '' }));
    expect(future.code).toBe(status.INVALID_ARGUMENT);
    expect(future.fields[0].field).toBe('now');
    const backdated = await failure(unary(clients.planner, clients.planner.startPlanRun, { now: ts(t0 + 2 * h), horizonHours: 0, objective: undefined, options: undefined, requestId: '' }));
    expect(backdated.code).toBe(status.FAILED_PRECONDITION);
    expect(backdated.fields[0].field).toBe('now');
    expect(backdated.fields[0].description).toMatch(/before the plan start 2026-02-02T13:00:00.000Z of operations\/run-/);
    const options = await failure(
      unary(clients.planner, clients.planner.startPlanRun, { now: undefined, horizonHours: 0, objective: { carbonWeight: -3, costWeight: 0, riskMeasure: 0, cvarAlpha: 0 }, options: { timeLimitSeconds: -1, mipGap: 7, solver: 99 }, requestId: '' }),
    );
    expect(options.code).toBe(status.INVALID_ARGUMENT);
    expect(options.fields.map((v) => v.field).sort()).toEqual(['objective.carbonWeight', 'options.mipGap', 'options.solver', 'options.timeLimitSeconds']);
    const tooMuch = await failure(
      unary(clients.planner, clients.planner.reportProgress, {
        records: Array.from({ length: 12 }, () => ({ job: 'revised', siteId: 'a', start: ts(t0 - 9_000 * h), hours: 8_784, gpus: 0, finished: false })),
        requestId: '',
      }),
    );
    expect(tooMuch.fields[0]).toEqual({ field: 'records', description: expect.stringMatching(/got 105408 record-hours .* expected at most 100000 per call/) });
  });

  it('NOT_FOUND and FAILED_PRECONDITION carry field paths; DeleteJob removes a job that never ran and refuses one that did', async () => {
    const unknown = await failure(report(clients.planner, [{ job: 'nope', siteId: 'a', startMs: t0, gpus: 1 }]));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.fields).toEqual([{ field: 'records[0].job', description: 'jobs/nope: no such job' }]);
    const closed = await failure(report(clients.planner, [{ job: 'block', siteId: 'b', startMs: t0, gpus: 1 }]));
    expect(closed.code).toBe(status.FAILED_PRECONDITION);
    expect(closed.fields).toEqual([{ field: 'records[0].job', description: 'jobs/block is DONE' }]);
    await unary(clients.planner, clients.planner.createJob, { job: job('temp'), requestId: '' });
    await unary(clients.planner, clients.planner.deleteJob, { name: 'jobs/temp' });
    expect((await failure(unary(clients.planner, clients.planner.getJob, { name: 'jobs/temp' }))).fields).toEqual([{ field: 'name', description: 'jobs/temp: no such job' }]);
    const ran = await failure(unary(clients.planner, clients.planner.deleteJob, { name: 'jobs/revised' }));
    expect(ran.code).toBe(status.FAILED_PRECONDITION);
    expect(ran.details).toMatch(/cancel it instead/);
  });

  it('an updated job leaves its old plan: dispatch stops listing it until the next run', async () => {
    const listed = async (hourMs: number) => (await unary(clients.planner, clients.planner.getDispatch, { siteId: 'a', hour: ts(hourMs) })).entries.map((e) => e.job);
    const planned = runResponse(await run(clients, t0 + 14 * h)).jobs.find((j) => j.jobId === 'revised')!;
    const at = timestampToMs(planned.allocations.find((a) => a.siteId === 'a')!.start!)!;
    expect(await listed(at)).toContain('jobs/revised');
    const updated = await unary(clients.planner, clients.planner.updateJob, {
      job: BacklogJob.fromPartial({ name: 'jobs/revised', spec: { ...job('revised'), allowedSites: ['b'], homeSite: 'b' } }),
      updateMask: ['spec.allowed_sites', 'spec.home_site'],
    });
    expect(updated.planRun).toBe('');
    expect(await listed(at)).not.toContain('jobs/revised');
    const dispatch = await unary(clients.planner, clients.planner.getDispatch, { siteId: 'a', hour: ts(t0 + 40 * h) });
    expect(dispatch.note).toMatch(/ends at/);
  });
});

describe('queued runs on a replica sharing PostgreSQL', () => {
  let testStore: TestStore;
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    await testStore?.dispose();
  });

  it('a run waiting behind another keeps its lease: another replica does not fail it', async () => {
    testStore = await openTestStore('postgres');
    const a = await startTestServer({ store: testStore.url, runLeaseMs: 1_000 });
    const b = await startTestServer({ store: testStore.url, runLeaseMs: 1_000 });
    servers.push(a, b);
    const clients = standingClients(a.address);
    const request = competingBlocksMilp({ jobs: 30, timeLimitSeconds: 60 });
    await unary(clients.planner, clients.planner.batchCreateJobs, { requests: request.jobs.map((j) => ({ job: j, requestId: '' })), requestId: '' });
    await put(clients, request.sites, timestampToMs(request.horizon!.start!)!);
    const start = (hours: number) =>
      unary(clients.planner, clients.planner.startPlanRun, { now: request.horizon!.start, horizonHours: hours, objective: undefined, options: { timeLimitSeconds: 60, mipGap: 1e-9, solver: 0 }, requestId: '' });
    const first = await start(0);
    const second = await start(0);
    await sleep(3_500);
    const waiting = await unary(clients.operations, clients.operations.getOperation, { name: second.name });
    expect(runMetadata(waiting).state).toBe(PlanRunState.PLAN_RUN_STATE_QUEUED);
    expect(runMetadata(await unary(clients.operations, clients.operations.getOperation, { name: first.name })).state).toBe(PlanRunState.PLAN_RUN_STATE_RUNNING);
    // WaitOperation with a short timeout answers with the state so far.
    const waited = await unary(clients.operations, clients.operations.waitOperation, { name: first.name, timeout: { seconds: 0, nanos: 200_000_000 } });
    expect(waited.done).toBe(false);
    await unary(clients.operations, clients.operations.cancelOperation, { name: second.name });
    await unary(clients.operations, clients.operations.cancelOperation, { name: first.name });
    expect(runMetadata(await waitDone(clients, first.name, 10_000)).state).toBe(PlanRunState.PLAN_RUN_STATE_CANCELLED);
    expect(runMetadata(await waitDone(clients, second.name, 10_000)).state).toBe(PlanRunState.PLAN_RUN_STATE_CANCELLED);
    clients.close();
  }, 60_000);
});
