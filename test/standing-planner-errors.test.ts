import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../src/generated/cosched/v1/plan_request.js';
import { BacklogJob, JobState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { backlogScenario, ts } from './factories/backlogScenario.js';
import { failure, standingClients, unary, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const t0 = Date.UTC(2026, 0, 5, 0);
const scenario = backlogScenario(t0, 4);


describe('the standing planner refuses bad calls with the right code, every bad field, and writes nothing', () => {
  let server: TestServer;
  let clients: StandingClients;
  beforeAll(async () => {
    server = await startTestServer();
    clients = standingClients(server.address);
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });
  const createJobs = (jobs: Job[], requestId = '') => unary(clients.planner, clients.planner.batchCreateJobs, { requests: jobs.map((job) => ({ job, requestId: '' })), requestId });

  it('a batch with bad jobs: INVALID_ARGUMENT listing every bad field by path, and no job created', async () => {
    const bad = [scenario.jobs[0], { ...scenario.jobs[1], gpuHours: -5, deadline: ts(t0 - 3_600_000) }, { ...scenario.jobs[2], id: scenario.jobs[0].id, homeSite: 'not a site!' }];
    const error = await failure(createJobs(bad));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const fields = error.fields.map((v) => v.field);
    expect(fields).toEqual(expect.arrayContaining(['requests[1].job.gpuHours', 'requests[1].job.deadline', 'requests[2].job.id', 'requests[2].job.homeSite']));
    expect(error.fields.find((v) => v.field === 'requests[1].job.gpuHours')!.description).toMatch(/got -5/);
    const listed = await unary(clients.planner, clients.planner.listJobs, { pageSize: 0, pageToken: '', filter: '' });
    expect(listed.totalSize).toBe(0);
  });

  it('a job whose data is away from its home site: INVALID_ARGUMENT on dataSite (the standing planner has no links), at create and at an update of the home site', async () => {
    const base = { ...scenario.jobs[0], id: 'with-data', allowedSites: ['helingeer', 'guian'], homeSite: 'helingeer' };
    const away = 'guian';
    const error = await failure(createJobs([{ ...base, datasetGb: 500, dataSite: away }]));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([{ field: 'requests[0].job.dataSite', description: expect.stringContaining(`got "${away}"; the standing planner has no links between sites`) }]);
    // Data at the home site is accepted; an update moving the home site away from the data is not.
    const [created] = (await createJobs([{ ...base, datasetGb: 500, dataSite: base.homeSite }])).jobs;
    try {
      const moved = await failure(
        unary(clients.planner, clients.planner.updateJob, { job: BacklogJob.fromPartial({ name: created.name, spec: { ...created.spec!, homeSite: away } }), updateMask: ['spec.home_site'] }),
      );
      expect(moved.code).toBe(status.INVALID_ARGUMENT);
      expect(moved.fields.map((v) => v.field)).toEqual(['job.spec.dataSite']);
    } finally {
      // The later tests of this file count the jobs.
      await unary(clients.planner, clients.planner.deleteJob, { name: created.name });
    }
  });

  it('request_id: a retry returns the first answer; the same id for another request is ALREADY_EXISTS; an existing job id too', async () => {
    const first = await createJobs(scenario.jobs.slice(0, 2), 'batch-1');
    const retry = await createJobs(scenario.jobs.slice(0, 2), 'batch-1');
    expect(retry).toEqual(first);
    const reused = await failure(createJobs(scenario.jobs.slice(2, 3), 'batch-1'));
    expect(reused.code).toBe(status.ALREADY_EXISTS);
    expect(reused.details).toMatch(/request_id "batch-1" was already used/);
    expect(reused.fields).toEqual([{ field: 'requestId', description: 'got "batch-1", already used for a different BatchCreateJobs request; expected a new request_id' }]);
    const existing = await failure(createJobs([scenario.jobs[2], scenario.jobs[0]]));
    expect(existing.code).toBe(status.ALREADY_EXISTS);
    expect(existing.details).toMatch(/job-00 already exists/);
    // All or none: job-02 was not created either.
    expect((await failure(unary(clients.planner, clients.planner.getJob, { name: 'jobs/job-02' }))).code).toBe(status.NOT_FOUND);
  });

  it('unknown jobs are NOT_FOUND; malformed names INVALID_ARGUMENT naming the field', async () => {
    const unknown = await failure(unary(clients.planner, clients.planner.getJob, { name: 'jobs/nope' }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.details).toMatch(/jobs\/nope/);
    const malformed = await failure(unary(clients.planner, clients.planner.getJob, { name: 'job-00' }));
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
    expect(malformed.fields[0].field).toBe('name');
    const progress = await failure(
      unary(clients.planner, clients.planner.reportProgress, { records: [{ job: 'jobs/nope', siteId: 'datong', start: ts(t0), hours: 1, gpus: 1, finished: false }], requestId: '' }),
    );
    expect(progress.code).toBe(status.NOT_FOUND);
    expect(progress.details).toMatch(/jobs\/nope/);
  });

  it('bad progress records: every bad field; progress for a finished job: FAILED_PRECONDITION; nothing half-written', async () => {
    const job = scenario.jobs[0];
    const bad = await failure(
      unary(clients.planner, clients.planner.reportProgress, {
        records: [
          { job: job.id, siteId: job.homeSite, start: ts(t0 + 1_000), hours: 1, gpus: -1, finished: false },
          { job: job.id, siteId: job.homeSite, start: ts(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 7_200_000), hours: 1, gpus: 1, finished: false },
        ],
        requestId: '',
      }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.fields.map((v) => v.field)).toEqual(['records[0].gpus', 'records[0].start', 'records[1].start']);
    expect(bad.fields[2].description).toMatch(/ends after now/);
    // One good record and one over the job's work: rejected whole.
    const tooMuch = await failure(
      unary(clients.planner, clients.planner.reportProgress, {
        records: [
          { job: job.id, siteId: job.homeSite, start: ts(t0), hours: 1, gpus: 1, finished: false },
          { job: job.id, siteId: job.homeSite, start: ts(t0 + 3_600_000), hours: 100, gpus: job.maxGpus, finished: false },
        ],
        requestId: '',
      }),
    );
    expect(tooMuch.code).toBe(status.INVALID_ARGUMENT);
    expect(tooMuch.details).toMatch(/more than its gpuHours/);
    expect((await unary(clients.planner, clients.planner.getJob, { name: `jobs/${job.id}` })).doneGpuHours).toBe(0);
    const finished = await unary(clients.planner, clients.planner.reportProgress, {
      records: [{ job: job.id, siteId: job.homeSite, start: ts(t0), hours: 1, gpus: 1, finished: true }],
      requestId: '',
    });
    expect(finished.jobs[0].state).toBe(JobState.JOB_STATE_DONE);
    const late = await failure(
      unary(clients.planner, clients.planner.reportProgress, { records: [{ job: job.id, siteId: job.homeSite, start: ts(t0 + 3_600_000), hours: 1, gpus: 1, finished: false }], requestId: '' }),
    );
    expect(late.code).toBe(status.FAILED_PRECONDITION);
    expect(late.details).toMatch(/is DONE/);
    const cancel = await failure(unary(clients.planner, clients.planner.cancelJob, { name: `jobs/${job.id}`, reason: '' }));
    expect(cancel.code).toBe(status.FAILED_PRECONDITION);
  });

  it('a forecast of the wrong length names the array and both lengths; a batch with one bad forecast puts none', async () => {
    const [good, other] = scenario.sites;
    const error = await failure(
      unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
        requests: [
          { siteForecast: { name: '', site: good, start: ts(t0), version: 0, createTime: undefined, source: '' }, requestId: '' },
          { siteForecast: { name: '', site: { ...other, carbonIntensityGPerKwh: other.carbonIntensityGPerKwh.slice(0, 47) }, start: ts(t0 + 60_000), version: 0, createTime: undefined, source: '' }, requestId: '' },
        ],
        requestId: '',
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(
      expect.arrayContaining([
        { field: 'requests[1].siteForecast.start', description: expect.stringMatching(/whole UTC hour/) },
        { field: 'requests[1].siteForecast.site.carbonIntensityGPerKwh', description: 'got 47 values; expected 48 (the length of greenSupplyMw)' },
      ]),
    );
    const listed = await unary(clients.planner, clients.planner.listSiteForecasts, { parent: 'sites/-', pageSize: 0, pageToken: '', latestOnly: false });
    expect(listed.siteForecasts).toHaveLength(0);
  });

  it('lists page through every job once with the same filter, and refuse a token made for another filter', async () => {
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await unary(clients.planner, clients.planner.listJobs, { pageSize: 1, pageToken, filter: 'state = PENDING' });
      seen.push(...page.jobs.map((j) => j.name));
      pageToken = page.nextPageToken;
      if (pageToken) {
        const wrong = await failure(unary(clients.planner, clients.planner.listJobs, { pageSize: 1, pageToken, filter: 'state = DONE' }));
        expect(wrong.fields[0].field).toBe('pageToken');
      }
    } while (pageToken);
    expect(seen).toEqual(['jobs/job-01']);
    const badFilter = await failure(unary(clients.planner, clients.planner.listJobs, { pageSize: 0, pageToken: '', filter: 'state = SLEEPING' }));
    expect(badFilter.fields[0]).toEqual({ field: 'filter', description: expect.stringMatching(/SLEEPING.*PENDING, PLANNED, RUNNING, DONE, CANCELLED, MISSED/) });
  });
});
