import { afterAll, describe, expect, it } from 'vitest';
import { ListOperationsResponse, Operation } from '../src/generated/google/longrunning/operations.js';
import { PlanRunState } from '../src/generated/cosched/v1/standing_planner_service.js';
import { hour, job, request, site } from './factories/planRequests.js';
import { runMetadata, runResponse, standingClients, unary, waitDone, type StandingClients } from './helpers/standingCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** The byte limit of the server below: a plan run's operation here takes about 6.5 kB, so a page holds two. */
const maxResponseBytes = 16_000;

describe('ListOperations pages', () => {
  let server: TestServer;
  let clients: StandingClients;
  afterAll(async () => {
    clients?.close();
    await server?.close();
  });

  it('end before the operation that would take them over max_response_bytes, and page through every run once', async () => {
    server = await startTestServer({ maxResponseBytes });
    clients = standingClients(server.address);
    // Two sites over 24 hours and three jobs: each run's PlanResponse carries 2 × 24-hour accounts twice.
    const hours = 24;
    const planRequest = request(
      hours,
      [site('a', Array(hours).fill(0.01), Array(hours).fill(300)), site('b', Array(hours).fill(0.02), Array(hours).fill(100))],
      ['j1', 'j2', 'j3'].map((id) => job(id, 'a', { allowedSites: ['a', 'b'], release: hour(0), deadline: hour(hours) })),
    );
    await unary(clients.planner, clients.planner.batchCreateJobs, { requests: planRequest.jobs.map((j) => ({ job: j, requestId: '' })), requestId: '' });
    await unary(clients.planner, clients.planner.batchCreateSiteForecasts, {
      requests: planRequest.sites.map((s) => ({ siteForecast: { name: '', site: s, start: planRequest.horizon!.start, version: 0, createTime: undefined, source: '' }, requestId: '' })),
      requestId: '',
    });
    const names: string[] = [];
    for (let i = 0; i < 6; i++) {
      const started = await unary(clients.planner, clients.planner.startPlanRun, { now: hour(0), horizonHours: hours, objective: undefined, options: undefined, requestId: '' });
      const done = await waitDone(clients, started.name, 30_000);
      expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
      names.push(started.name);
    }
    const sizes = new Map<string, number>();
    for (const name of names) sizes.set(name, Operation.encode(await unary(clients.operations, clients.operations.getOperation, { name })).finish().length);
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThan(2 * maxResponseBytes); // so that pages must end early

    const pages: ListOperationsResponse[] = [];
    let pageToken = '';
    do {
      const page = await unary(clients.operations, clients.operations.listOperations, { name: '', filter: '', pageSize: 50, pageToken });
      pages.push(page);
      pageToken = page.nextPageToken;
    } while (pageToken !== '' && pages.length < 20);

    // Every run once, newest first, over several pages although 50 would fit by count.
    expect(pages.flatMap((page) => page.operations.map((operation) => operation.name))).toEqual([...names].reverse());
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.some((page) => page.operations.length >= 2)).toBe(true);
    // Each run's response is within the limit: no warning about its size.
    expect(pages.flatMap((page) => page.operations.flatMap((operation) => runResponse(operation).warnings)).join('\n')).not.toMatch(/max_response_bytes/);
    pages.forEach((page, i) => {
      expect(ListOperationsResponse.encode(page).finish().length).toBeLessThanOrEqual(maxResponseBytes);
      // Full: the next page's first operation would not have fitted.
      const next = pages[i + 1]?.operations[0];
      if (next) expect(ListOperationsResponse.encode({ ...page, operations: [...page.operations, next] }).finish().length).toBeGreaterThan(maxResponseBytes);
    });
  });

  it('keep a run whose response is over max_response_bytes, with a warning that says so', async () => {
    const small = await startTestServer({ maxResponseBytes: 3_000 });
    const smallClients = standingClients(small.address);
    try {
      const hours = 24;
      const planRequest = request(hours, [site('a', Array(hours).fill(0.01), Array(hours).fill(300))], [job('j1', 'a', { release: hour(0), deadline: hour(hours) })]);
      await unary(smallClients.planner, smallClients.planner.batchCreateJobs, { requests: [{ job: planRequest.jobs[0], requestId: '' }], requestId: '' });
      await unary(smallClients.planner, smallClients.planner.createSiteForecast, { siteForecast: { name: '', site: planRequest.sites[0], start: hour(0), version: 0, createTime: undefined, source: '' }, requestId: '' });
      const started = await unary(smallClients.planner, smallClients.planner.startPlanRun, { now: hour(0), horizonHours: hours, objective: undefined, options: undefined, requestId: '' });
      const done = await waitDone(smallClients, started.name, 30_000);
      expect(runMetadata(done).state).toBe(PlanRunState.PLAN_RUN_STATE_SUCCEEDED);
      const response = runResponse(done);
      expect(response.warnings.join('\n')).toMatch(/^this plan's response takes \d+ bytes, over max_response_bytes 3000: GetOperation and ListOperations send it whole/m);
      expect(response.jobs[0].allocations.length).toBeGreaterThan(0);
    } finally {
      smallClients.close();
      await small.close();
    }
  });
});
