/**
 * Fault tests (issue 14, item 5) that server-errors, server-shutdown, server-concurrency,
 * server-deadlines and solver-cancellation do not already cover: a plan worker out of memory or
 * ended mid-solve, several plans in flight at a shutdown, the status of calls cut at the end of
 * the grace period, the code logged for a deadline that passes while a plan waits, and what a
 * call's log line carries. (Health under 100 ms while every worker solves: server-concurrency;
 * a cancelled plan's worker freed within 200 ms: server-deadlines; a crashing worker: server-errors.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { benchmarkSizes, generateInstance } from '../bench/generateInstance.js';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanPhase } from '../src/generated/cosched/v1/co_scheduler_service.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import { PlanWorkerPool } from '../src/server/PlanWorkerPool.js';
import { hashToken } from '../src/auth/hashToken.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan, callValidate, watchPlan } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { reflectionClient } from './helpers/standardClients.js';

/** The job id that makes test/fixtures/exitingPlanWorker.ts end its thread mid-solve (not imported: the module is a worker entry). */
const exitJobId = 'exit-mid-solve';

const running: TestServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function serve(overrides: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(overrides);
  running.push(server);
  return server;
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  return call.then(
    () => {
      throw new Error('the call succeeded; expected an error');
    },
    (error: unknown) => error as ServiceError,
  );
}

function callLines(server: TestServer): Array<Record<string, unknown>> {
  return server.logs.filter((line) => line.msg === 'call done');
}

describe('a plan worker that dies mid-plan', () => {
  it('out of memory: the caller gets RESOURCE_EXHAUSTED naming the heap limit, the worker is replaced and the next plan is answered', async () => {
    // 16 MB of heap loads HiGHS and plans a tiny request, but not a 10-site, 48-hour, 500-job one.
    const test = await serve({ workers: 1, workerHeapMb: 16 });
    const big = PlanRequest.fromJSON(generateInstance(benchmarkSizes['day-ahead'], { seed: 1 }));

    const error = await failure(callPlan(test.client, big));

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toContain('16 MB');
    const details = decodeStatusDetails(error.metadata);
    expect(details.errorInfo).toMatchObject({ reason: 'PLAN_MEMORY_LIMIT', metadata: { limit: 'worker_heap_mb' } });
    expect(details.quotaFailure?.violations[0]?.subject).toBe('worker_heap_mb');
    expect(test.logs.some((line) => line.msg === 'plan worker failed; replacing it')).toBe(true);
    await expect.poll(() => test.server.pool.stats(), { timeout: 10_000 }).toMatchObject({ idle: 1, busy: 0, starting: 0 });
    expect((await callPlan(test.client, oneSiteFourHours())).termination).toBe(Termination.TERMINATION_OPTIMAL);
  });

  it('ended while HiGHS solves: the plan fails INTERNAL (PLAN_WORKER_CRASHED), the worker is replaced and serves the next plan', async () => {
    const crashes: Error[] = [];
    const pool = await PlanWorkerPool.start({
      workers: 1,
      workerModule: new URL('./fixtures/exitingPlanWorker.js', import.meta.url),
      onWorkerError: (error) => crashes.push(error),
    });
    try {
      const slow = competingBlocksMilp({ timeLimitSeconds: 30 });
      slow.jobs[0]!.id = exitJobId;
      const startedMs = performance.now();

      const phases: string[] = [];
      await expect(pool.plan(validatePlanRequest(slow), { onEvent: (event) => phases.push(event.kind) })).rejects.toMatchObject({
        code: 'INTERNAL',
        reason: 'PLAN_WORKER_CRASHED',
      });
      expect(phases).toEqual(['model_built', 'solver_progress']);

      expect(performance.now() - startedMs).toBeLessThan(5_000);
      expect(crashes[0]?.message).toContain('exited with code 7');
      await expect.poll(() => pool.stats(), { timeout: 10_000 }).toMatchObject({ idle: 1, busy: 0, starting: 0 });
      expect((await pool.plan(validatePlanRequest(oneSiteFourHours()))).termination).toBe('optimal');
    } finally {
      await pool.close();
    }
  });
});

describe('a shutdown with plans in flight', () => {
  it('lets every running and queued plan finish within the grace period', async () => {
    const test = await serve({ workers: 1 });
    // Each runs into its 0.5 s time limit: one on the worker, two waiting for it.
    const answers = Array.from({ length: 3 }, () => callPlan(test.client, competingBlocksMilp({ jobs: 15, timeLimitSeconds: 0.5 })));
    await expect.poll(() => test.server.pool.stats(), { timeout: 10_000, interval: 5 }).toMatchObject({ busy: 1, queued: 2 });

    const stopped = test.server.shutdown(30_000);
    const plans = await Promise.all(answers);
    const outcome = await stopped;

    // Answered, not cut: each with the best schedule found in its time, or none found in that time.
    for (const plan of plans) expect([Termination.TERMINATION_TIME_LIMIT_FEASIBLE, Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION]).toContain(plan.termination);
    expect(outcome.forced).toBe(false);
    expect(callLines(test).filter((line) => line.method === 'Plan').map((line) => line.code)).toEqual(['OK', 'OK', 'OK']);
  });

  it('answers calls still running at the end of the grace period CANCELLED with reason SERVER_SHUTTING_DOWN: unary, streaming, and a call without a plan', async () => {
    const test = await serve({ workers: 2 });
    const unary = failure(callPlan(test.client, competingBlocksMilp({ timeLimitSeconds: 30 })));
    let modelBuilt = false;
    const streamed = watchPlan(test.client, competingBlocksMilp({ timeLimitSeconds: 30 }), {
      onProgress: (progress) => (modelBuilt ||= progress.phase === PlanPhase.PLAN_PHASE_MODEL_BUILT),
    });
    // And a call with no plan: a reflection stream the client keeps open.
    const reflection = reflectionClient(test.address);
    const open = reflection.serverReflectionInfo();
    const openEnded = new Promise<ServiceError>((resolve) => open.on('error', resolve));
    const firstAnswer = new Promise((resolve) => open.once('data', resolve));
    open.write({ host: '', list_services: '' });
    await firstAnswer;
    await expect.poll(() => modelBuilt && test.server.pool.stats().busy === 2, { timeout: 10_000, interval: 5 }).toBe(true);

    const outcome = await test.server.shutdown(300);
    const cut = [await unary, (await streamed).error!, await openEnded];
    reflection.close();

    expect(outcome.forced).toBe(true);
    for (const error of cut) {
      expect(error.code).toBe(status.CANCELLED);
      expect(error.details).toContain('shutting down');
      expect(decodeStatusDetails(error.metadata).errorInfo?.reason).toBe('SERVER_SHUTTING_DOWN');
    }
    expect((await streamed).progress.length).toBeGreaterThan(0);
    expect(test.logs.find((line) => typeof line.msg === 'string' && line.msg.startsWith('grace period over'))).toMatchObject({ calls: 3, answeredByTracker: 1 });
    const logged = callLines(test).filter((line) => line.method === 'Plan' || line.method === 'WatchPlan');
    expect(logged).toHaveLength(2);
    for (const line of logged) expect(line).toMatchObject({ code: 'CANCELLED', reason: 'SERVER_SHUTTING_DOWN' });
  });
});

describe('a deadline that passes while the plan waits for a worker', () => {
  it('is answered and logged DEADLINE_EXCEEDED, not CANCELLED', async () => {
    const test = await serve({ workers: 1 });
    const blocker = callPlan(test.client, competingBlocksMilp({ timeLimitSeconds: 1 }));
    await expect.poll(() => test.server.pool.stats().busy, { timeout: 10_000, interval: 5 }).toBe(1);

    // The client's own deadline timer cancels these streams, slightly before the server's deadline.
    const late = await Promise.all(Array.from({ length: 5 }, (_, i) => failure(callPlan(test.client, oneSiteFourHours(), 300 + 50 * i))));
    await blocker;

    expect(late.map((error) => error.code)).toEqual(Array(5).fill(status.DEADLINE_EXCEEDED));
    await expect.poll(() => callLines(test).filter((line) => line.method === 'Plan').length).toBe(6);
    const logged = callLines(test).filter((line) => line.method === 'Plan' && line.code !== 'OK');
    expect(logged.map((line) => line.code)).toEqual(Array(5).fill('DEADLINE_EXCEEDED'));
  });
});

describe("a call's log line", () => {
  it('carries the peer address and the authenticated cosched-client identity, and never a metadata value such as authorization', async () => {
    const token = 'cosched_fault-test-token-0123456789';
    const dir = mkdtempSync(join(tmpdir(), 'cosched-faults-tokens-'));
    const tokensFile = join(dir, 'tokens.yaml');
    writeFileSync(tokensFile, `tokens:\n  - name: scheduler-a\n    role: planner\n    hash: ${hashToken(token)}\n`);
    try {
      const test = await serve({ workers: 1, tokensFile, metricsPort: 0 });
      const validate = (metadata: Metadata) =>
        new Promise<unknown>((resolve) => test.client.validatePlanRequest({ request: oneSiteFourHours() }, metadata, {}, (error) => resolve(error)));
      const good = new Metadata();
      good.set('authorization', `Bearer ${token}`);
      good.set('x-other', 'other-secret-456');
      // A client cannot name itself: a cosched-client it sends is dropped.
      good.set('cosched-client', 'token:someone-else');
      expect(await validate(good)).toBeNull();
      const bad = new Metadata();
      bad.set('authorization', 'Bearer cosched_wrong-token-9876543210');
      expect(await validate(bad)).toMatchObject({ code: status.UNAUTHENTICATED });

      await expect.poll(() => callLines(test).length).toBe(1);
      const [line] = callLines(test);
      expect(line).toMatchObject({ method: 'ValidatePlanRequest', code: 'OK', client: 'token:scheduler-a' });
      expect(line!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
      const everything = JSON.stringify(test.logs);
      for (const secret of [token, 'cosched_wrong-token-9876543210', 'other-secret-456', 'someone-else']) expect(everything).not.toContain(secret);
      // The refused call has no handler log line, but the metrics count it, by the code the client got.
      const metrics = await (await fetch(`http://127.0.0.1:${test.server.metricsServer!.port}/metrics`)).text();
      expect(metrics).toMatch(/^cosched_grpc_calls_total\{[^}]*method="ValidatePlanRequest",code="UNAUTHENTICATED"[^}]*\} 1$/m);
      expect(metrics).toMatch(/^cosched_grpc_calls_total\{[^}]*method="ValidatePlanRequest",code="OK"[^}]*\} 1$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries the peer address and no client without authentication', async () => {
    const test = await serve({ workers: 1 });
    await callValidate(test.client, oneSiteFourHours());
    await expect.poll(() => callLines(test).length).toBe(1);
    expect(callLines(test)[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(callLines(test)[0]).not.toHaveProperty('client');
  });
});
