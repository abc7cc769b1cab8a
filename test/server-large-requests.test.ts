/**
 * Issue 14, "nothing unbounded on the main thread": Plan, WatchPlan, ValidatePlanRequest and EvaluatePlan
 * requests of DeferredRequest.minBytes or more are decoded, validated and prepared in a
 * request-preparation worker (RequestPrepPool), with the same answers as the main-thread path,
 * and health stays quick while several are prepared.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planProblem } from '../solver/plan/planProblem.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanPhase, ValidatePlanRequestRequest, ValidatePlanRequestResponse, WatchPlanRequest, WatchPlanResponse } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { EvaluatePlanRequest, EvaluatePlanResponse } from '../src/generated/cosched/v1/evaluate.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { evaluatePlanRequest } from '../src/evaluate/evaluatePlanRequest.js';
import { PlanResponse, Termination } from '../src/generated/cosched/v1/plan_response.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { DeferredRequest } from '../src/server/DeferredRequest.js';
import { describeUndecodable } from '../src/server/describeUndecodable.js';
import { packProblem } from '../src/server/packProblem.js';
import { RequestPrepPool } from '../src/server/RequestPrepPool.js';
import { unpackProblem } from '../src/server/unpackProblem.js';
import { largePlanRequest } from './factories/largePlanRequests.js';
import { twoSitesSixHoursFullySpecified } from './factories/planRequests.js';
import { latenciesUnderLoadMs } from './helpers/measureLatency.js';
import { rawClient, rawServerStream, rawUnary } from './helpers/rawCalls.js';
import { checkHealth, healthClient } from './helpers/standardClients.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const service = '/cosched.v1.CoSchedulerService';

/** The response without what differs from run to run (timings). */
function withoutTimings(response: PlanResponse): PlanResponse {
  return { ...response, solve: response.solve && { ...response.solve, solveMs: 0, buildMs: 0 } };
}

/** 20 sites × 4,000 h × 2 jobs: about 1.8 MiB, well above the threshold, planned in about a second. */
const large = () => largePlanRequest(20, 4_000, 2);

let localPlan: Promise<PlanResponse> | undefined;
/** The in-process planner's answer to `large()` (planned once). */
function localResponse(): Promise<PlanResponse> {
  const problem = validatePlanRequest(large());
  localPlan ??= planProblem(problem).then((result) => toPlanResponse(problem, result));
  return localPlan;
}

let test: TestServer;
beforeAll(async () => {
  test = await startTestServer({ maxResponseBytes: 64 * 1024 * 1024 });
});
afterAll(() => test?.close());

describe('packProblem and unpackProblem', () => {
  it('give back an equal Problem (every field, Infinity limits, names, zones, windows)', async () => {
    const withMargins = twoSitesSixHoursFullySpecified();
    withMargins.sites.forEach((site, s) => (site.marginalIntensityGPerKwh = [900, 800, 700, 600, 500, 400].map((g) => g + s)));
    const executable = twoSitesSixHoursFullySpecified();
    executable.jobs[0] = { ...executable.jobs[0], checkpointMinutes: 30, splitSites: true };
    for (const request of [twoSitesSixHoursFullySpecified(), withMargins, executable, largePlanRequest(3, 100, 500)]) {
      const problem = validatePlanRequest(request);
      const { packed } = packProblem(problem);
      expect(await unpackProblem(structuredClone(packed))).toEqual(problem);
    }
  });
});

describe('a large Plan request', () => {
  it('is deferred to the preparation worker and planned: the same PlanResponse as the in-process planner', async () => {
    const request = large();
    const bytes = PlanRequest.encode(request).finish();
    expect(bytes.length).toBeGreaterThan(DeferredRequest.minBytes);
    const local = await localResponse();

    const client = rawClient(test.address);
    try {
      const answer = await rawUnary(client, `${service}/Plan`, bytes, 30_000);
      expect(answer.code).toBe(status.OK);
      const response = PlanResponse.decode(answer.response!);
      expect(response.termination).toBe(Termination.TERMINATION_OPTIMAL);
      expect(withoutTimings(response)).toEqual(withoutTimings(local));
    } finally {
      client.close();
    }
    const line = test.logs.filter((l) => l.msg === 'call done' && l.method === 'Plan').at(-1);
    expect(line).toMatchObject({ code: 'OK', hours: 4_000, sites: 20, jobs: 2, cells: 160_000, termination: 'optimal' });
  });

  it('on EvaluatePlan (the large plan judged on actuals with half the green supply): evaluated in the worker, the same answer as in-process', async () => {
    const actuals = large();
    for (const site of actuals.sites) site.greenSupplyMw = site.greenSupplyMw.map((mw) => mw / 2);
    const evaluate = { actuals, plan: await localResponse(), planned: undefined };
    const bytes = EvaluatePlanRequest.encode(evaluate).finish();
    expect(bytes.length).toBeGreaterThan(DeferredRequest.minBytes);

    const client = rawClient(test.address);
    try {
      const answer = await rawUnary(client, `${service}/EvaluatePlan`, bytes, 30_000);
      expect(answer.code, answer.details).toBe(status.OK);
      expect(EvaluatePlanResponse.decode(answer.response!)).toEqual(evaluatePlanRequest(evaluate).response);
    } finally {
      client.close();
    }
    const line = test.logs.filter((l) => l.msg === 'call done' && l.method === 'EvaluatePlan').at(-1);
    expect(line).toMatchObject({ code: 'OK', hours: 4_000, sites: 20, jobs: 2, cells: 160_000 });
  });

  it('on WatchPlan: VALIDATED first, then the same plan', async () => {
    const request = large();
    const client = rawClient(test.address);
    try {
      const messages: Buffer[] = [];
      const answer = await new Promise<number>((resolve) => {
        const stream = client.makeServerStreamRequest(`${service}/WatchPlan`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(WatchPlanRequest.encode({ request }).finish()), new Metadata(), { deadline: Date.now() + 30_000 });
        stream.on('data', (message: Buffer) => messages.push(message));
        stream.on('error', () => undefined);
        stream.on('status', (s: { code: number }) => resolve(s.code));
      });
      expect(answer).toBe(status.OK);
      const events = messages.map((m) => WatchPlanResponse.decode(m));
      expect(events[0]?.event?.$case === 'progress' && events[0].event.value).toMatchObject({ phase: PlanPhase.PLAN_PHASE_VALIDATED, message: 'validated: 4000 hours × 20 sites × 2 jobs = 160,000 cells' });
      const last = events.at(-1)?.event;
      expect(last?.$case).toBe('plan');
      const local = await localResponse();
      expect(last?.$case === 'plan' && withoutTimings(last.value)).toEqual(withoutTimings(local));
    } finally {
      client.close();
    }
  });

  it('that is invalid gets INVALID_ARGUMENT with the same violations as main-thread validation, on Plan and ValidatePlanRequest', async () => {
    const request = large();
    request.sites[3]!.greenSupplyMw.pop();
    request.jobs[1]!.deadline = { seconds: request.jobs[1]!.release!.seconds - 3_600, nanos: 0 };
    const expected = (() => {
      try {
        validatePlanRequest(request);
      } catch (error) {
        if (error instanceof CoschedError) return error.violations;
      }
      throw new Error('expected the request to be invalid');
    })();
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const client = rawClient(test.address);
    try {
      const plan = await rawUnary(client, `${service}/Plan`, PlanRequest.encode(request).finish(), 30_000);
      expect(plan.code).toBe(status.INVALID_ARGUMENT);
      expect(decodeStatusDetails(plan.metadata).badRequest?.fieldViolations).toEqual(expected);

      const validate = await rawUnary(client, `${service}/ValidatePlanRequest`, ValidatePlanRequestRequest.encode({ request }).finish(), 30_000);
      expect(validate.code).toBe(status.OK);
      expect(ValidatePlanRequestResponse.decode(validate.response!)).toEqual({ valid: false, violations: expected, cells: 0 });
      const valid = await rawUnary(client, `${service}/ValidatePlanRequest`, ValidatePlanRequestRequest.encode({ request: large() }).finish(), 30_000);
      expect(ValidatePlanRequestResponse.decode(valid.response!)).toEqual({ valid: true, violations: [], cells: 160_000 });
    } finally {
      client.close();
    }
    const line = test.logs.filter((l) => l.msg === 'call done' && l.method === 'Plan').at(-1);
    expect(line).toMatchObject({ code: 'INVALID_ARGUMENT', hours: 4_000, sites: 20, jobs: 2 });
  });

  it('over the cell limit gets RESOURCE_EXHAUSTED (PLAN_TOO_LARGE) from the worker', async () => {
    const client = rawClient(test.address);
    try {
      const answer = await rawUnary(client, `${service}/Plan`, PlanRequest.encode(largePlanRequest(20, 4_000, 300)).finish(), 30_000);
      expect(answer.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(decodeStatusDetails(answer.metadata).errorInfo?.reason).toBe('PLAN_TOO_LARGE');
    } finally {
      client.close();
    }
  });

  it('that is truncated gets the same UNDECODABLE_REQUEST answer as a small one would', async () => {
    const bytes = PlanRequest.encode(large()).finish();
    const truncated = bytes.slice(0, bytes.length - 3);
    let expected;
    try {
      PlanRequest.decode(truncated);
    } catch (error) {
      expected = describeUndecodable(`${service}/Plan`, truncated, error).toError().violations;
    }
    expect(expected).toBeDefined();
    const client = rawClient(test.address);
    try {
      const plan = await rawUnary(client, `${service}/Plan`, truncated, 30_000);
      expect(plan.code).toBe(status.INVALID_ARGUMENT);
      expect(decodeStatusDetails(plan.metadata).errorInfo?.reason).toBe('UNDECODABLE_REQUEST');
      expect(decodeStatusDetails(plan.metadata).badRequest?.fieldViolations).toEqual(expected);
      const watch = await rawServerStream(client, `${service}/WatchPlan`, Uint8Array.from([0x0a, ...encodeLength(bytes.length), ...truncated]), 30_000);
      expect(watch.code).toBe(status.INVALID_ARGUMENT);
      expect(decodeStatusDetails(watch.metadata).errorInfo?.reason).toBe('UNDECODABLE_REQUEST');
    } finally {
      client.close();
    }
    const logged = test.logs.filter((line) => line.method === 'Plan' && line.undecodable !== undefined).at(-1);
    expect(logged).toMatchObject({ code: 'INVALID_ARGUMENT', undecodable: { bytes: truncated.length } });
  });
});

describe('health while large requests are prepared', () => {
  it('answers within 100 ms while four 10 MiB requests are decoded and validated', async () => {
    // Encoded before measuring: the test process must not stall on it.
    const bytes = ValidatePlanRequestRequest.encode({ request: largePlanRequest(50, 8_784, 2) }).finish();
    const health = healthClient(test.address);
    const client = rawClient(test.address);
    try {
      await checkHealth(health, '');
      const calls = Array.from({ length: 4 }, () => rawUnary(client, `${service}/ValidatePlanRequest`, bytes, 60_000));
      // Sending 40 MiB stalls this process for a moment; the server's preparation takes seconds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const healthMs = await latenciesUnderLoadMs(async () => expect(await checkHealth(health, '')).toBe('SERVING'), 100, 100, 'health while four 10 MiB requests are prepared');
      const answers = await Promise.all(calls);
      expect(answers.map((a) => a.code)).toEqual([0, 0, 0, 0]);
      const sorted = [...healthMs].sort((a, b) => a - b);
      // p99 of 100 samples.
      expect(sorted[98]).toBeLessThan(100);
    } finally {
      health.close();
      client.close();
    }
  });
});

describe('RequestPrepPool', () => {
  it('rejects at once with the signal reason when the call ends while the worker is busy', async () => {
    const pool = await RequestPrepPool.start();
    try {
      const bytes = Buffer.from(PlanRequest.encode(largePlanRequest(50, 8_784, 2)).finish());
      const busy = pool.prepare(new DeferredRequest(`${service}/Plan`, bytes), { maxCells: 1e9 });
      const controller = new AbortController();
      const waiting = pool.prepare(new DeferredRequest(`${service}/Plan`, bytes), { maxCells: 1e9 }, controller.signal);
      const startedMs = performance.now();
      setTimeout(() => controller.abort(new CoschedError('CANCELLED', 'the client cancelled the call', { reason: 'CALL_CANCELLED' })), 50);
      await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED', reason: 'CALL_CANCELLED' });
      expect(performance.now() - startedMs).toBeLessThan(400);
      expect((await busy).kind).toBe('prepared');
    } finally {
      await pool.close();
    }
  });

  it('created without workers starts them with its first request; workers that cannot start fail the waiting requests, and the next request tries again', async () => {
    const bytes = Buffer.from(PlanRequest.encode(twoSitesSixHoursFullySpecified()).finish());
    const lazy = RequestPrepPool.create();
    try {
      expect((await lazy.prepare(new DeferredRequest(`${service}/Plan`, bytes), { maxCells: 1e9 })).kind).toBe('prepared');
    } finally {
      await lazy.close();
    }
    const broken = RequestPrepPool.create({ workerModule: new URL('file:///nonexistent/requestPrepWorker.js') });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(broken.prepare(new DeferredRequest(`${service}/Plan`, bytes), { maxCells: 1e9 })).rejects.toMatchObject({ code: 'INTERNAL', reason: 'REQUEST_WORKER_UNAVAILABLE' });
      }
    } finally {
      await broken.close();
    }
  });
});

/** A protobuf varint. */
function encodeLength(value: number): number[] {
  const out: number[] = [];
  while (value > 127) {
    out.push((value & 127) | 128);
    value >>>= 7;
  }
  out.push(value);
  return out;
}
