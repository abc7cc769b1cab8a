import { describe, expect, it } from 'vitest';
import { CoschedError } from '../solver/errors/CoschedError.js';
import type { PlanEvent } from '../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../solver/plan/PlanResult.js';
import type { Problem } from '../solver/problem/Problem.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { resolveWorkerConfig } from '../src/cli/resolveWorkerConfig.js';
import { parseRedisUrl } from '../src/queue/parseRedisUrl.js';
import { problemOfJob, toPlanJobData } from '../src/queue/PlanJobData.js';
import { decodeQueueFailure, encodeQueueFailure, isRetryableFailure } from '../src/queue/QueueFailure.js';
import { parseQueueJson, stringifyQueueJson } from '../src/queue/queueJson.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { twoSitesSixHoursFullySpecified } from './factories/planRequests.js';
import { jobMovedToGreenSiteAtHourOne } from './factories/planResults.js';
import { twoSitesOneGreen } from './factories/problems.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { inThreadPlanner, northEastSixHours } from './factories/whatIfRequests.js';

const roundTrip = <T>(value: T): T => parseQueueJson<T>(stringifyQueueJson(value));

describe('what crosses the plan queue', () => {
  it('keeps a Problem whole, Infinity included (an unlimited grid import)', () => {
    const problems: Problem[] = [twoSitesOneGreen(), preparePlan(northEastSixHours(), { maxCells: 1e6 }), preparePlan(twoSitesSixHoursFullySpecified(), { maxCells: 1e6 })];
    expect(problems[0].sites[0].gridImportLimitMw).toBe(Infinity);
    for (const problem of problems) {
      expect(roundTrip(problem)).toStrictEqual(problem);
      expect(problemOfJob(toPlanJobData(problem, {}))).toStrictEqual(problem);
    }
  });

  it('keeps real PlanResults equal: optimal, time-limited, and one with NaN, infinities and -0', async () => {
    const results: PlanResult[] = [
      await inThreadPlanner(preparePlan(northEastSixHours(), { maxCells: 1e6 })),
      await inThreadPlanner(preparePlan(twoSitesSixHoursFullySpecified(), { maxCells: 1e6 })),
      await inThreadPlanner(preparePlan(competingBlocksMilp({ jobs: 6, timeLimitSeconds: 0.001 }), { maxCells: 1e6 })),
    ];
    const { result } = jobMovedToGreenSiteAtHourOne();
    results.push({ ...result, solve: { ...result.solve, objective: NaN, mipGap: Infinity }, summary: { ...result.summary, carbonSavedPercent: -Infinity } });
    for (const planned of results) {
      const back = roundTrip(planned);
      // toEqual: JSON leaves out undefined properties (an absent plan, a job without a finish hour).
      expect(back).toEqual(planned);
      expect(stringifyQueueJson(back)).toBe(stringifyQueueJson(planned));
    }
    const odd = roundTrip(results[3]);
    expect([odd.solve.objective, odd.solve.mipGap, odd.summary.carbonSavedPercent]).toEqual([NaN, Infinity, -Infinity]);
    // A cost of -0 (an hour with a negative price and no load) stays -0, as a worker thread's would.
    expect(Object.is(roundTrip({ cost: [-0] }).cost[0], -0)).toBe(true);
  });

  it('keeps plan events and their solver progress', () => {
    const events: PlanEvent[] = [
      { kind: 'model_built', variables: 10, constraints: 5, integerVariables: 2, buildMs: 1.5, stage: 1 },
      { kind: 'solver_progress', stage: 1, progress: { elapsedMs: 12, incumbent: 3, bound: -Infinity } },
      { kind: 'solved', stage: 1, termination: 'optimal', solveMs: 4 },
      { kind: 'checked', checks: 12, passed: true },
    ];
    expect(events.map(roundTrip)).toEqual(events);
  });

  it('carries the time limit asked at enqueue and the call deadline in the job', () => {
    const problem = twoSitesOneGreen();
    const data = toPlanJobData(problem, { timeLimitSeconds: () => 7, deadline: { deadlineMs: 1_000, marginMs: 200 }, onEvent: () => undefined });
    expect(data).toMatchObject({ timeLimitSeconds: 7, deadline: { deadlineMs: 1_000, marginMs: 200 }, events: true });
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(toPlanJobData(problem, {})).toMatchObject({ timeLimitSeconds: problem.options.timeLimitSeconds, events: false });
  });
});

describe('a failed plan job', () => {
  it('gives the caller the CoschedError the worker threw: code, message, reason and violations', () => {
    const refused = CoschedError.invalid([{ field: 'jobs[0].gpuHours', description: 'got -1; expected > 0' }]);
    const back = decodeQueueFailure(encodeQueueFailure(refused, 1, 3));
    expect(back).toBeInstanceOf(CoschedError);
    expect(back).toMatchObject({ code: 'INVALID_ARGUMENT', message: refused.message, reason: 'INVALID_PLAN_REQUEST', violations: refused.violations });
  });

  it('says a crash happened on the last of several attempts, and keeps a bug an Error with its stack', () => {
    const crash = new CoschedError('INTERNAL', 'the plan worker exited with code 1 while planning', { reason: 'PLAN_WORKER_CRASHED' });
    expect(decodeQueueFailure(encodeQueueFailure(crash, 3, 3))).toMatchObject({ code: 'INTERNAL', reason: 'PLAN_WORKER_CRASHED', message: expect.stringMatching(/attempt 3 of 3: every attempt failed/) });
    const bug = new TypeError('x is undefined');
    const back = decodeQueueFailure(encodeQueueFailure(bug, 1, 3));
    expect(back).not.toBeInstanceOf(CoschedError);
    expect(back).toMatchObject({ name: 'TypeError', message: 'x is undefined', stack: bug.stack });
  });

  it("reads BullMQ's own reasons: a plan whose workers kept dying, and anything else as INTERNAL", () => {
    expect(decodeQueueFailure('job stalled more than allowable limit')).toMatchObject({ code: 'INTERNAL', reason: 'PLAN_WORKER_LOST' });
    expect(decodeQueueFailure('Missing lock for job 7. moveToFinished')).toMatchObject({ code: 'INTERNAL', reason: 'PLAN_JOB_FAILED', message: expect.stringContaining('Missing lock') });
  });

  it('is tried again only when the worker thread crashed or a dependency was unreachable', () => {
    expect(isRetryableFailure(new CoschedError('INTERNAL', 'crash', { reason: 'PLAN_WORKER_CRASHED' }))).toBe(true);
    expect(isRetryableFailure(new CoschedError('UNAVAILABLE', 'down'))).toBe(true);
    expect(isRetryableFailure(CoschedError.invalid([{ field: 'x', description: 'bad' }]))).toBe(false);
    expect(isRetryableFailure(new CoschedError('CANCELLED', 'left'))).toBe(false);
    expect(isRetryableFailure(new CoschedError('DEADLINE_EXCEEDED', 'late'))).toBe(false);
    expect(isRetryableFailure(new CoschedError('INTERNAL', 'check failed', { reason: 'PLAN_CHECK_FAILED' }))).toBe(false);
    expect(isRetryableFailure(new TypeError('bug'))).toBe(false);
  });
});

describe('the queue settings', () => {
  it('read a Redis URL: host, port, database, credentials, TLS; the password never shows', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6390')).toMatchObject({ display: 'redis://127.0.0.1:6390', options: { host: '127.0.0.1', port: 6390, db: 0 } });
    expect(parseRedisUrl('rediss://app:s%40cret@redis.internal/2')).toMatchObject({
      display: 'rediss://app:***@redis.internal/2',
      options: { host: 'redis.internal', port: 6379, db: 2, username: 'app', password: 's@cret', tls: { servername: 'redis.internal' } },
    });
    expect(parseRedisUrl('redis://[::1]:7000').options).toMatchObject({ host: '::1', port: 7000 });
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseRedisUrl('redis://:pw@host/x')).toThrow(/'redis:\/\/:\*\*\*@host\/x': the path \/x is not a database number/);
    expect(() => parseRedisUrl('127.0.0.1:6379')).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL|not a URL/);
  });

  it('serve: --queue or COSCHED_QUEUE, and a queue name only with a queue', () => {
    expect(resolveServeConfig({ queue: 'redis://r:6379' }, { COSCHED_QUEUE_NAME: 'plans-eu' }).server).toMatchObject({ queue: 'redis://r:6379', queueName: 'plans-eu' });
    expect(resolveServeConfig({}, { COSCHED_QUEUE: 'rediss://r:6380' }).server.queue).toBe('rediss://r:6380');
    expect(resolveServeConfig({}, {}).server.queue).toBeUndefined();
    expect(() => resolveServeConfig({ queue: 'postgres://x' }, {})).toThrow(/--queue: 'postgres:\/\/x': expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => resolveServeConfig({ queueName: 'a' }, {})).toThrow(/--queue-name needs --queue/);
    expect(() => resolveServeConfig({ queue: 'redis://r', queueName: 'a:b' }, {})).toThrow(/--queue-name 'a:b': expected 1 to 100 letters/);
  });

  it('worker: a queue is required; flags win over COSCHED_* variables', () => {
    const config = resolveWorkerConfig(['--queue', 'redis://r:6379', '--workers', '3', '--lock-duration-ms', '2000'], { COSCHED_WORKERS: '5', COSCHED_QUEUE_NAME: 'plans', COSCHED_QUEUE_MAX_STALLED_COUNT: '2' });
    expect(config).toEqual({
      worker: { url: 'redis://r:6379', queueName: 'plans', workers: 3, maxHeapMb: 2_048, lockDurationMs: 2_000, stalledIntervalMs: undefined, maxStalledCount: 2 },
      logLevel: 'info',
      shutdownGraceMs: 20_000,
      metricsPort: undefined,
      metricsHost: '0.0.0.0',
    });
    expect(resolveWorkerConfig(['--queue', 'redis://r', '--metrics-port', '9464'], { COSCHED_METRICS_HOST: '127.0.0.1' })).toMatchObject({ metricsPort: 9_464, metricsHost: '127.0.0.1' });
    expect(resolveWorkerConfig(['--queue', 'redis://r', '--worker-heap-mb', '512'], { COSCHED_WORKER_HEAP_MB: '256' }).worker.maxHeapMb).toBe(512);
    expect(resolveWorkerConfig(['--queue', 'redis://r'], { COSCHED_WORKER_HEAP_MB: '256' }).worker.maxHeapMb).toBe(256);
    expect(() => resolveWorkerConfig(['--queue', 'redis://r', '--worker-heap-mb', '10'], {})).toThrow(/--worker-heap-mb '10': expected a whole number from 64 to 1048576/);
    expect(() => resolveWorkerConfig([], {})).toThrow(/missing --queue \(or COSCHED_QUEUE\)/);
    expect(() => resolveWorkerConfig(['--queue', 'redis://r', '--port', '1'], {})).toThrow(/worker: unknown flag --port/);
    expect(() => resolveWorkerConfig(['--queue', 'redis://r', 'extra'], {})).toThrow(/worker:/);
    expect(() => resolveWorkerConfig(['--queue', 'redis://r'], { COSCHED_WORKERS: '0' })).toThrow(/COSCHED_WORKERS '0': expected a whole number from 1 to 1024/);
  });
});
