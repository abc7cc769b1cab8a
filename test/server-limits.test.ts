/**
 * The server's limits (issue 14, item 3), each through a real server and a real client: the
 * per-client request rate (with RetryInfo) and plans in flight, per client identity; the connection
 * limits and the silent-connection timeout (raw TCP sockets); the plan cost estimate from the
 * windows; the response size limit; and health answered quickly while a flood of limited calls runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../src/auth/hashToken.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { parseCommandLine } from '../src/cli/parseCommandLine.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanResponse } from '../src/generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { ClientLimiter } from '../src/server/ClientLimiter.js';
import { planResponseBytes, planResponseBytesAtLeast, sizeCompareResponse, sizePlanResponse } from '../src/server/planCost.js';
import { toVariantResults } from '../src/whatif/compareScenarios.js';
import { CompareScenariosResponse, CoSchedulerServiceClient, ValidatePlanRequestRequest, type ValidatePlanRequestResponse } from '../src/generated/cosched/v1/co_scheduler_service.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { hour, job, oneSiteFourHours, request, site } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan, callValidate, watchPlan } from './helpers/grpcCalls.js';
import { checkHealth, healthClient } from './helpers/standardClients.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const require = createRequire(import.meta.url);

let test: TestServer | undefined;
const extraClients: Array<{ close(): void }> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const client of extraClients.splice(0)) client.close();
  await test?.close();
  test = undefined;
});

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded; expected an error');
}

/** ValidatePlanRequest with these metadata. */
function validateAs(client: CoSchedulerServiceClient, metadata: Metadata): Promise<ValidatePlanRequestResponse> {
  return new Promise((resolve, reject) => {
    client.validatePlanRequest({ request: oneSiteFourHours() }, metadata, {}, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A tokens file with two planner tokens, `alpha` and `beta`. */
function twoTokens(): { file: string; alpha: string; beta: string } {
  const alpha = 'cosched_limits-test-alpha-token-0001';
  const beta = 'cosched_limits-test-beta-token-00002';
  const file = join(mkdtempSync(join(tmpdir(), 'cosched-limits-')), 'tokens.yaml');
  writeFileSync(
    file,
    `tokens:\n  - name: alpha\n    role: planner\n    hash: ${hashToken(alpha)}\n  - name: beta\n    role: planner\n    hash: ${hashToken(beta)}\n`,
  );
  return { file, alpha, beta };
}

/** Opens a raw TCP connection; resolves once connected, with a promise of its close. */
async function rawConnection(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  socket.on('error', () => undefined);
  // Read (and drop) what the server sends, so that its close is seen.
  socket.resume();
  const openedMs = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - openedMs)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

/**
 * windowsRequest(12, 3, true) with every extension a response carries: a battery at s0, a link
 * s1 -> s0 for j1's 100 GB, two forecast scenarios (half and 1.2 times the green supply), or,
 * with `explain`, no scenarios and the duals' explanation.
 */
function extendedRequest(explain: boolean): PlanRequest {
  const planRequest = windowsRequest(12, 3, true);
  // Green power at s0 only, and too little at night: the jobs move there, j1 after its data.
  for (const s of planRequest.sites) s.greenSupplyMw = s.greenSupplyMw.map((_, t) => (s.id !== 's0' ? 0 : t % 24 < 12 ? 0.001 : 1.5));
  planRequest.sites[0].storage = { energyMwh: 2, powerMw: 0.5, roundTripEfficiency: 0.9, initialMwh: 1, chargeFromGrid: false };
  planRequest.links = [{ fromSiteId: 's1', toSiteId: 's0', bandwidthGbps: 1, energyKwhPerGb: 0.01 }];
  Object.assign(planRequest.jobs[1], { datasetGb: 100, dataSite: 's1' });
  if (explain) {
    planRequest.options = { ...planRequest.options!, explain: true };
    return planRequest;
  }
  planRequest.forecastScenarios = ['low', 'high'].map((name, k) => ({
    name,
    probability: 0.5,
    sites: planRequest.sites.map((s) => ({ siteId: s.id, greenSupplyMw: s.greenSupplyMw.map((g) => g * (k === 0 ? 0.5 : 1.2)), carbonIntensityGPerKwh: [] })),
  }));
  return planRequest;
}

/** `jobs` jobs on `sites` sites over 48 hours; full windows and every site allowed, or a 2-hour window at the home site only. */
function windowsRequest(jobs: number, sites: number, full: boolean): PlanRequest {
  const hours = 48;
  const siteList = Array.from({ length: sites }, (_, s) => site(`s${s}`, Array(hours).fill(1), Array(hours).fill(300 + s), { gpuCapacity: 4096 }));
  const jobList = Array.from({ length: jobs }, (_, j) =>
    job(`j${j}`, `s${j % sites}`, full
      ? { release: hour(0), deadline: hour(hours), allowedSites: siteList.map((s) => s.id), gpuHours: 8 }
      : { release: hour(j % 40), deadline: hour((j % 40) + 2), gpuHours: 8 }),
  );
  return request(hours, siteList, jobList);
}

describe('limit settings of cosched serve', () => {
  it('default to the measured values, read flags and COSCHED_* variables, and refuse bad values naming the flag or variable', () => {
    expect(resolveServeConfig({}, {}).server).toMatchObject({
      maxModelSize: 1_500_000,
      maxResponseBytes: 4_194_304,
      requestsPerSecondPerClient: 200,
      requestBurstPerClient: 400,
      maxPlansInFlightPerClient: 32,
      maxConnections: 1_024,
      maxConnectionsPerIp: 256,
      connectionIdleMs: 300_000,
      firstRequestTimeoutMs: 10_000,
    });
    const command = parseCommandLine([
      'serve', '--max-model-size', '2000000', '--max-response-bytes', '8388608', '--max-requests-per-second', '0', '--request-burst', '10',
      '--max-plans-in-flight-per-client', '4', '--max-connections', '100', '--connection-idle-seconds', '60', '--first-request-timeout-seconds', '2.5',
    ]);
    const env = { COSCHED_MAX_CONNECTIONS_PER_IP: '8', COSCHED_MAX_CONNECTIONS: '5', COSCHED_MAX_MODEL_SIZE: '7' };
    expect(resolveServeConfig(command.kind === 'serve' ? command.flags : {}, env).server).toMatchObject({
      maxModelSize: 2_000_000,
      maxResponseBytes: 8_388_608,
      requestsPerSecondPerClient: 0,
      requestBurstPerClient: 10,
      maxPlansInFlightPerClient: 4,
      maxConnections: 100,
      maxConnectionsPerIp: 8,
      connectionIdleMs: 60_000,
      firstRequestTimeoutMs: 2_500,
    });
    expect(() => resolveServeConfig({ maxModelSize: '0' }, {})).toThrow("--max-model-size '0': expected a whole number from 1 to");
    expect(() => resolveServeConfig({}, { COSCHED_REQUEST_BURST: '0' })).toThrow("COSCHED_REQUEST_BURST '0': expected a whole number from 1 to 1000000");
    expect(() => resolveServeConfig({ maxRequestsPerSecond: '-1' }, {})).toThrow("--max-requests-per-second '-1': expected a whole number from 0 to 1000000");
    expect(() => resolveServeConfig({ maxResponseBytes: '1e3' }, {})).toThrow("--max-response-bytes '1e3': expected a whole number from 1024 to");
    expect(() => resolveServeConfig({}, { COSCHED_CONNECTION_IDLE_SECONDS: 'soon' })).toThrow("COSCHED_CONNECTION_IDLE_SECONDS 'soon': expected a number of seconds from 1 to 86400");
    expect(() => resolveServeConfig({ firstRequestTimeoutSeconds: '0' }, {})).toThrow("--first-request-timeout-seconds '0': expected a number of seconds from 0.1 to 3600");
    expect(() => resolveServeConfig({ maxConnectionsPerIp: 'many' }, {})).toThrow("--max-connections-per-ip 'many': expected a whole number from 1 to 1000000");
  });
});

describe('the per-client table', () => {
  it('stays bounded: idle clients are forgotten once their bucket is full again, or least recently seen first when the table is full', () => {
    let nowMs = 0;
    const limiter = new ClientLimiter({ requestsPerSecond: 10, requestBurst: 20, maxPlansInFlight: 2, maxTrackedClients: 1_000 }, () => nowMs);
    const running = limiter.admit('busy', true);
    for (let i = 0; i < 5_000; i++) limiter.admit(`ip-${i}`, false);
    expect(limiter.trackedClients).toBeLessThanOrEqual(1_000);
    // A client with a plan in flight is never forgotten: its slot is still taken.
    limiter.admit('busy', true);
    expect(() => limiter.admit('busy', true)).toThrow(/has 2 plans in flight/);
    // 0.1 s later every idle bucket (19 of 20 tokens left) is full again: new clients sweep them out.
    nowMs = 100;
    for (let i = 0; i < 100; i++) limiter.admit(`later-${i}`, false);
    expect(limiter.trackedClients).toBeLessThan(1_000);
    running.release();
    running.release();
    expect(() => limiter.admit('busy', true)).not.toThrow();
  });
});

describe('per-client limits', () => {
  it('refuse calls over the rate with RESOURCE_EXHAUSTED, a QuotaFailure naming the limit and a RetryInfo; the retry then passes', async () => {
    test = await startTestServer({ requestsPerSecondPerClient: 1, requestBurstPerClient: 3 });
    // Eight calls at once: the burst of three passes (and one more if a second went by meanwhile).
    const answers = await Promise.allSettled(Array.from({ length: 8 }, () => callValidate(test!.client, oneSiteFourHours())));
    const passed = answers.filter((a) => a.status === 'fulfilled').length;
    expect(passed).toBeGreaterThanOrEqual(3);
    expect(passed).toBeLessThanOrEqual(4);
    const error = (answers.find((a) => a.status === 'rejected') as PromiseRejectedResult).reason as ServiceError;

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/^rate limit: client 127\.0\.0\.1 made more than 1 calls per second \(burst 3\); retry in \d+ ms/);
    const details = decodeStatusDetails(error.metadata);
    expect(details.errorInfo).toMatchObject({ reason: 'RATE_LIMITED', domain: 'cosched.dev', metadata: { limit: 'max_requests_per_second' } });
    expect(details.quotaFailure?.violations).toEqual([{ subject: 'max_requests_per_second', description: expect.stringContaining('more than 1 calls per second') }]);
    const retryMs = (details.retryInfo?.retryDelay?.seconds ?? 0) * 1000 + (details.retryInfo?.retryDelay?.nanos ?? 0) / 1e6;
    // One token comes back every 1,000 ms at 1 per second.
    expect(retryMs).toBeGreaterThan(0);
    expect(retryMs).toBeLessThanOrEqual(1_000);

    await new Promise((resolve) => setTimeout(resolve, retryMs + 20));
    expect((await callValidate(test.client, oneSiteFourHours())).valid).toBe(true);
  });

  it('refuse a plan beyond the plans one client may have in flight, and take the next one once a slot is free', async () => {
    test = await startTestServer({ maxPlansInFlightPerClient: 1, workers: 1 });
    const controller = { cancel: () => undefined as void };
    // A MILP that runs for seconds holds the client's one plan slot.
    const slow = new Promise<ServiceError | undefined>((resolve) => {
      const call = test!.client.plan(competingBlocksMilp({ timeLimitSeconds: 20 }), (error) => resolve(error ?? undefined));
      controller.cancel = () => call.cancel();
    });
    await expect.poll(() => test!.server.pool.stats().busy, { timeout: 10_000, interval: 10 }).toBe(1);

    const error = await failure(callPlan(test.client, oneSiteFourHours()));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toContain('client 127.0.0.1 has 1 plans in flight; this server runs at most 1 per client at once');
    const details = decodeStatusDetails(error.metadata);
    expect(details.errorInfo).toMatchObject({ reason: 'TOO_MANY_PLANS_IN_FLIGHT', metadata: { limit: 'max_plans_in_flight_per_client' } });
    expect(details.retryInfo?.retryDelay).toEqual({ seconds: 1, nanos: 0 });
    // A streaming plan counts the same; a validation is not a plan.
    expect((await watchPlan(test.client, oneSiteFourHours())).error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await callValidate(test.client, oneSiteFourHours())).valid).toBe(true);

    controller.cancel();
    expect((await slow)?.code).toBe(status.CANCELLED);
    // The server learns of the cancel a moment later; then the slot is free.
    await expect.poll(() => test!.server.pool.stats().busy, { timeout: 5_000, interval: 10 }).toBe(0);
    expect((await callPlan(test.client, oneSiteFourHours())).termination).toBeGreaterThan(0);
  });

  it("limit each authenticated client on its own: one client's flood does not throttle another", async () => {
    const tokens = twoTokens();
    test = await startTestServer({ tokensFile: tokens.file, requestsPerSecondPerClient: 5, requestBurstPerClient: 5 });

    const flood = await Promise.allSettled(Array.from({ length: 40 }, () => validateAs(test!.client, bearer(tokens.alpha))));
    const refused = flood.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as ServiceError);
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set([status.RESOURCE_EXHAUSTED]));
    expect(refused[0].details).toContain('client token:alpha made more than 5 calls per second');

    // beta, on the same connection and IP address, has its own bucket.
    for (let i = 0; i < 5; i++) expect((await validateAs(test.client, bearer(tokens.beta))).valid).toBe(true);
  });

  it('answer health within 100 ms (p99) while a flood of limited calls runs', async () => {
    test = await startTestServer({ requestsPerSecondPerClient: 10, requestBurstPerClient: 10 });
    const health = healthClient(test.address);
    extraClients.push(health);
    await checkHealth(health, '');
    // The flood comes from a thread of its own (its client work off this event loop, as another process's would be).
    const bytes = ValidatePlanRequestRequest.encode({ request: oneSiteFourHours() }).finish();
    const flood = new Worker(floodWorkerCode, { eval: true, workerData: { address: test.address, bytes, concurrency: 10 } });
    const codes = new Promise<Record<string, number>>((resolve, reject) => {
      flood.once('message', resolve);
      flood.once('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 100 checks, 10 ms apart; a round slower than the limit is measured once more (a lone stall
    // of the shared 2-core machine, e.g. other test files' solves, should not decide).
    const round = async (): Promise<number[]> => {
      const latenciesMs: number[] = [];
      for (let i = 0; i < 100; i++) {
        const startedMs = performance.now();
        expect(await checkHealth(health, '')).toBe('SERVING');
        latenciesMs.push(performance.now() - startedMs);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return latenciesMs.sort((a, b) => a - b);
    };
    let latenciesMs = await round();
    if (latenciesMs[98] >= 100) {
      console.warn(`health under a flood: a slow round (p99 ${latenciesMs[98].toFixed(1)} ms), measuring again`);
      latenciesMs = await round();
    }
    flood.postMessage('stop');
    const counted = await codes;
    await flood.terminate();

    const p99 = latenciesMs[98];
    const total = Object.values(counted).reduce((a, b) => a + b, 0);
    console.info(`health under a flood of ${total} calls (codes ${JSON.stringify(counted)}): p50 ${latenciesMs[49].toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    expect(counted[status.RESOURCE_EXHAUSTED]).toBeGreaterThan(100);
    expect(p99).toBeLessThan(100);
  });
});

/** A flood of raw ValidatePlanRequest calls, `concurrency` at a time, until told to stop; answers the count of each code. */
const floodWorkerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const grpc = require(${JSON.stringify(require.resolve('@grpc/grpc-js'))});
const client = new grpc.Client(workerData.address, grpc.credentials.createInsecure());
const bytes = Buffer.from(workerData.bytes);
const codes = {};
let stopping = false;
parentPort.once('message', () => (stopping = true));
function one(done) {
  client.makeUnaryRequest('/cosched.v1.CoSchedulerService/ValidatePlanRequest', (b) => b, (b) => b, bytes, (error) => {
    const code = error ? error.code : 0;
    codes[code] = (codes[code] || 0) + 1;
    if (stopping) done(); else one(done);
  });
}
let running = workerData.concurrency;
for (let i = 0; i < workerData.concurrency; i++) one(() => { if (--running === 0) { client.close(); parentPort.postMessage(codes); } });
`;

describe('connection limits', () => {
  it('close connections beyond the per-IP limit at once, and silent connections after the first-request timeout', async () => {
    test = await startTestServer({ maxConnectionsPerIp: 3, firstRequestTimeoutMs: 600 });
    const port = test.server.port;
    const open = await Promise.all([rawConnection(port), rawConnection(port), rawConnection(port)]);

    // The fourth from the same address is closed as it arrives.
    const fourth = await rawConnection(port);
    expect(await settlesWithin(fourth.closed, 300)).toBe(true);
    // The three silent ones are closed after the timeout (600 ms), not before.
    expect(await settlesWithin(Promise.race(open.map((o) => o.closed)), 300)).toBe(false);
    const lifetimesMs = await Promise.all(open.map((o) => o.closed));
    for (const ms of lifetimesMs) expect(ms).toBeGreaterThanOrEqual(550);
    for (const ms of lifetimesMs) expect(ms).toBeLessThan(3_000);

    // A client that makes calls keeps its connection past the timeout.
    expect((await callValidate(test.client, oneSiteFourHours())).valid).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await callValidate(test.client, oneSiteFourHours())).valid).toBe(true);
  });

  it('close connections beyond the total limit; a client gets UNAVAILABLE, and is served once one closes', async () => {
    test = await startTestServer({ maxConnections: 2 });
    const port = test.server.port;
    const first = await rawConnection(port);
    await rawConnection(port);
    const third = await rawConnection(port);
    expect(await settlesWithin(third.closed, 300)).toBe(true);
    // test.client connects lazily: now it is the third connection.
    const error = await failure(callValidate(test.client, oneSiteFourHours()));
    expect(error.code).toBe(status.UNAVAILABLE);

    // test.client would keep trying to connect (and might take the freed place): close it first.
    test.client.close();
    first.socket.destroy();
    await first.closed;
    const client = new CoSchedulerServiceClient(test.address, credentials.createInsecure());
    extraClients.push(client);
    expect((await callValidate(client, oneSiteFourHours())).valid).toBe(true);
  });
});

describe('plan cost and response size', () => {
  it('refuse a full-window request over the model size that hours × sites × jobs lets through, and plan narrow windows of the same size', async () => {
    test = await startTestServer({ maxModelSize: 10_000 });
    // 48 hours × 8 sites × 40 jobs = 15,360 cells, far under max_cells (20,000,000).
    const full = windowsRequest(40, 8, true);
    const narrow = windowsRequest(40, 8, false);

    const error = await failure(callPlan(test.client, full));

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    // Variables: 40 jobs × 8 sites × 48 hours + 40 unmet + 8 × 48 grid = 15,784; constraints: 40 × 48 jobCap + 40 workDone + 2 × 8 × 48.
    expect(error.details).toBe(
      'plan too costly: the model would have 15,784 variables + 2,729 constraints = 18,513; this server solves at most 10,000 (max_model_size). ' +
        "Narrow the jobs' windows or allowed sites, or split the request",
    );
    const details = decodeStatusDetails(error.metadata);
    expect(details.errorInfo).toMatchObject({ reason: 'PLAN_TOO_COSTLY', metadata: { limit: 'max_model_size' } });
    expect(details.quotaFailure?.violations[0]?.subject).toBe('max_model_size');
    // ValidatePlanRequest counts the same 15,360 cells for both.
    expect((await callValidate(test.client, full)).cells).toBe(15_360);

    const planned = await callPlan(test.client, narrow);
    expect(planned.jobs).toHaveLength(40);
  });

  it('refuse a plan whose response would exceed the response limit before solving it', async () => {
    test = await startTestServer({ maxResponseBytes: 4_096 });
    // 48 hours × 8 sites of hourly accounts alone take 18 kB.
    const error = await failure(callPlan(test.client, windowsRequest(4, 8, false)));

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/^response too large: the response would take at least [\d,]+ bytes; this server sends at most 4,096 \(max_response_bytes\)/);
    expect(decodeStatusDetails(error.metadata).errorInfo).toMatchObject({ reason: 'RESPONSE_TOO_LARGE', metadata: { limit: 'max_response_bytes' } });
    expect(test.server.pool.stats().busy).toBe(0);
    // A small plan is answered, and its response is within the limit.
    expect((await callPlan(test.client, oneSiteFourHours())).jobs).toHaveLength(1);
  });

  it('estimate a response within 10% of its encoded size, and never above the bound known before solving', async () => {
    // With a marginal signal every site profile has one more hourly series.
    const withMargins = windowsRequest(12, 3, true);
    for (const site of withMargins.sites) site.marginalIntensityGPerKwh = site.carbonIntensityGPerKwh.map((g) => 2 * g);
    for (const planRequest of [windowsRequest(40, 8, false), windowsRequest(12, 3, true), withMargins, oneSiteFourHours()]) {
      const problem = validatePlanRequest(planRequest);
      const result = await planProblem(problem);
      const encodedBytes = PlanResponse.encode(toPlanResponse(problem, result)).finish().length;
      expect(Math.abs(planResponseBytes(problem, result) - encodedBytes) / encodedBytes).toBeLessThan(0.1);
      expect(planResponseBytesAtLeast(problem)).toBeLessThanOrEqual(encodedBytes);
    }
  });

  it('estimate a response with storage, links, forecast scenarios and explanations within 10%', async () => {
    // The estimate once counted only the hourly accounts, jobs and allocations: 12.6% under on china-hubs-operators.
    for (const explain of [false, true]) {
      const problem = validatePlanRequest(extendedRequest(explain));
      const result = await planProblem(problem);
      const response = toPlanResponse(problem, result);
      expect(response.sites[0].stateOfChargeMwh).toHaveLength(48);
      expect(response.jobs[1].transfers.length).toBeGreaterThan(0);
      if (explain) expect(response.explanation?.bindingHours.length).toBeGreaterThan(0);
      else expect(response.scenarios?.scenarios).toHaveLength(2);
      const encodedBytes = PlanResponse.encode(response).finish().length;
      expect(Math.abs(planResponseBytes(problem, result) - encodedBytes) / encodedBytes).toBeLessThan(0.1);
      expect(planResponseBytesAtLeast(problem)).toBeLessThanOrEqual(encodedBytes);
      // Near the limit the exact size counts (WatchPlan's with its wrapper), and the response built
      // for it is kept; far below it, the estimate.
      const near = sizePlanResponse(problem, result, encodedBytes);
      expect(near).toMatchObject({ bytes: encodedBytes, exact: true });
      expect(near.response).toEqual(response);
      expect(sizePlanResponse(problem, result, encodedBytes, 6)).toMatchObject({ bytes: encodedBytes + 6, exact: true });
      expect(sizePlanResponse(problem, result, 4 * encodedBytes)).toEqual({ bytes: planResponseBytes(problem, result), exact: false });
      // CompareScenarios: its whole final message, rows and plans, estimated within 10% and exact near the limit.
      const planned = [{ name: 'base', request: {} as PlanRequest, problem, result }, { name: 'a variant', request: {} as PlanRequest, problem, result }];
      const rows = toVariantResults(planned, true);
      const compareBytes = CompareScenariosResponse.encode({ event: { $case: 'result', value: { rows } } }).finish().length;
      expect(sizeCompareResponse(planned, rows, compareBytes)).toEqual({ bytes: compareBytes, exact: true });
      const estimated = sizeCompareResponse(planned, rows, 4 * compareBytes);
      expect(estimated.exact).toBe(false);
      expect(Math.abs(estimated.bytes - compareBytes) / compareBytes).toBeLessThan(0.1);
    }
  });

  it('judge a response near the limit by its encoded size: one byte over is refused, at the limit it is sent; WatchPlan counts its wrapper', async () => {
    const planRequest = windowsRequest(12, 3, true);
    const problem = validatePlanRequest(planRequest);
    const encodedBytes = PlanResponse.encode(toPlanResponse(problem, await planProblem(problem))).finish().length;
    test = await startTestServer({ maxResponseBytes: encodedBytes - 1 });
    const error = await failure(callPlan(test.client, planRequest));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toContain(`the response would take ${encodedBytes.toLocaleString('en-US')} bytes; this server sends at most ${(encodedBytes - 1).toLocaleString('en-US')}`);
    await test.close();
    test = await startTestServer({ maxResponseBytes: encodedBytes });
    expect(PlanResponse.encode(await callPlan(test.client, planRequest)).finish().length).toBe(encodedBytes);
    // WatchPlan's message is the PlanResponse in a WatchPlanResponse: up to 6 bytes more.
    const watched = await watchPlan(test.client, planRequest);
    expect(watched.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(watched.error?.details).toContain(`the response would take ${(encodedBytes + 6).toLocaleString('en-US')} bytes`);
  });
});
