import { Writable } from 'node:stream';
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { createLogger } from '../src/server/createLogger.js';
import { PlanWorkerPool } from '../src/server/PlanWorkerPool.js';
import { maxStatusBytes, toGrpcStatus } from '../src/server/toGrpcStatus.js';
import { CoschedError, type FieldViolation } from '../solver/errors/CoschedError.js';
import { hour, job, oneSiteFourHours, request, site, timestamp } from './factories/planRequests.js';
import { callPlan, watchPlan } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';
import { rawClient, rawServerStream, rawUnary, type RawAnswer } from './helpers/rawCalls.js';

/** Four distinct mistakes: a short array, a deadline before its release, a negative gpuHours, an unknown home site. */
function fourBadFields(): PlanRequest {
  return request(
    4,
    [site('a', [0, 1, 2], [500, 400, 300, 200])],
    [
      job('ok', 'a'),
      job('bad', 'nowhere', { gpuHours: -3, release: hour(3), deadline: timestamp('2026-07-01T01:00:00Z') }),
    ],
  );
}

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded; expected an error');
}

let test: TestServer;
beforeAll(async () => {
  test = await startTestServer({ maxCells: 1_000, maxMessageBytes: 8_192 });
});
afterAll(() => test?.close());

describe('invalid requests', () => {
  it('get INVALID_ARGUMENT with a google.rpc.BadRequest listing every bad field, and an ErrorInfo', async () => {
    const error = await failure(callPlan(test.client, fourBadFields()));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^invalid plan request: 4 bad fields\n/);
    const details = decodeStatusDetails(error.metadata);
    expect(details.status).toMatchObject({ code: status.INVALID_ARGUMENT, message: error.details });
    const fields = details.badRequest?.fieldViolations.map((v) => v.field).sort();
    expect(fields).toEqual(['jobs[1].deadline', 'jobs[1].gpuHours', 'jobs[1].homeSite', 'sites[0].greenSupplyMw']);
    expect(details.badRequest?.fieldViolations.every((v) => v.description.length > 0)).toBe(true);
    expect(details.errorInfo).toEqual({ reason: 'INVALID_PLAN_REQUEST', domain: 'cosched.dev', metadata: { violations: '4' } });
  });

  it('end a WatchPlan stream with the same INVALID_ARGUMENT and no events', async () => {
    const watched = await watchPlan(test.client, fourBadFields());

    expect(watched.progress).toEqual([]);
    expect(watched.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(decodeStatusDetails(watched.error?.metadata).badRequest?.fieldViolations).toHaveLength(4);
  });
});

// Issue 14: bytes that do not decode were answered INTERNAL ("Error deserializing request") and
// never logged.
describe('undecodable request bytes', () => {
  const planPath = '/cosched.v1.CoSchedulerService/Plan';
  const goodBytes = () => PlanRequest.encode(oneSiteFourHours()).finish();

  async function rawFailure(path: string, bytes: Uint8Array): Promise<{ answer: RawAnswer; violations: FieldViolation[] }> {
    const client = rawClient(test.address);
    try {
      const answer = await rawUnary(client, path, bytes, 10_000);
      return { answer, violations: decodeStatusDetails(answer.metadata).badRequest?.fieldViolations ?? [] };
    } finally {
      client.close();
    }
  }

  it('get INVALID_ARGUMENT with the field being read when the bytes ran out, the decoder message, and a log line', async () => {
    const bytes = goodBytes();
    const { answer, violations } = await rawFailure(planPath, bytes.slice(0, bytes.length - 3));

    expect(answer.code).toBe(status.INVALID_ARGUMENT);
    expect(violations).toEqual([
      { field: 'jobs[0]', description: `premature EOF; the ${bytes.length - 3} request bytes do not decode as cosched.v1.PlanRequest; expected a valid binary-encoded cosched.v1.PlanRequest` },
    ]);
    expect(decodeStatusDetails(answer.metadata).errorInfo?.reason).toBe('UNDECODABLE_REQUEST');
    const logged = test.logs.find((line) => line.method === 'Plan' && line.undecodable !== undefined);
    expect(logged).toMatchObject({ msg: 'call done', code: 'INVALID_ARGUMENT', undecodable: { field: 'jobs[0]', bytes: bytes.length - 3, message: 'premature EOF' } });
  });

  it('name Timestamp seconds above 2^53 by their path, with the allowed range', async () => {
    // seconds = 2^60 in a Timestamp at horizon.start: field 1 (horizon), field 1 (start), field 1 (seconds).
    const writer = new BinaryWriter();
    writer.uint32(10).fork().uint32(10).fork().uint32(8).int64('1152921504606846976').join().uint32(16).int32(4).join();
    const { answer, violations } = await rawFailure(planPath, writer.finish());

    expect(answer.code).toBe(status.INVALID_ARGUMENT);
    expect(violations).toHaveLength(1);
    expect(violations[0].field).toBe('horizon.start.seconds');
    expect(violations[0].description).toMatch(/^got 1152921504606846976; expected an int64 within ±\(2\^53 - 1\).*0001-01-01\.\.9999-12-31/);
  });

  it('get INVALID_ARGUMENT on ValidatePlanRequest, WatchPlan and the standing planner too, paths relative to their message', async () => {
    const wrapped = Uint8Array.from([0x0a, 0x7f, ...goodBytes().slice(0, 20)]);
    const validate = await rawFailure('/cosched.v1.CoSchedulerService/ValidatePlanRequest', wrapped);
    expect(validate.answer.code).toBe(status.INVALID_ARGUMENT);
    expect(validate.violations[0].field).toBe('request');

    const client = rawClient(test.address);
    const watched = await rawServerStream(client, '/cosched.v1.CoSchedulerService/WatchPlan', Uint8Array.from([0xff, 0xff, 0xff]), 10_000);
    client.close();
    expect(watched.code).toBe(status.INVALID_ARGUMENT);
    expect(watched.messages).toBe(0);

    const job = await rawFailure('/cosched.v1.StandingPlannerService/CreateJob', Uint8Array.from([0x0a, 0x03, 0x0a, 0x09, 0x61]));
    expect(job.answer.code).toBe(status.INVALID_ARGUMENT);
    expect(job.violations[0]).toMatchObject({ field: 'job.id' });
    expect(job.violations[0].description).toMatch(/cosched\.v1\.CreateJobRequest/);
  });

  it('leave good bytes decoding as before', async () => {
    const client = rawClient(test.address);
    const answer = await rawUnary(client, planPath, goodBytes(), 30_000);
    client.close();
    expect(answer.code).toBe(status.OK);
  });
});

describe('size limits', () => {
  it('refuse a plan over max cells (hours × sites × jobs) with RESOURCE_EXHAUSTED and a QuotaFailure naming the limit', async () => {
    const big = request(24, [site('a', Array(24).fill(1), Array(24).fill(400)), site('b', Array(24).fill(1), Array(24).fill(400))], [
      ...Array.from({ length: 21 }, (_, j) => job(`j${j}`, 'a')),
    ]);

    const error = await failure(callPlan(test.client, big));

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toContain('24 hours × 2 sites × 21 jobs = 1,008 cells; this server plans at most 1,000 cells');
    const details = decodeStatusDetails(error.metadata);
    expect(details.quotaFailure?.violations).toEqual([{ subject: 'max_cells', description: expect.stringContaining('at most 1,000 cells') }]);
    expect(details.errorInfo).toMatchObject({ reason: 'PLAN_TOO_LARGE', domain: 'cosched.dev', metadata: { limit: 'max_cells' } });
  });

  it('refuse a message over max message bytes with RESOURCE_EXHAUSTED naming the limit', async () => {
    // 2,000 hours of forecasts: 32 kB of doubles, over the 8 kB this server accepts.
    const long = request(2_000, [site('a', Array(2_000).fill(1.5), Array(2_000).fill(400.5))], [job('j', 'a')]);

    const error = await failure(callPlan(test.client, long));

    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/larger than max \(\d+ vs\.? 8192\)/);
  });

  it('leave the server answering plans afterwards', async () => {
    const response = await callPlan(test.client, oneSiteFourHours());
    expect(response.check?.passed).toBe(true);
  });
});

describe('the translation of errors to gRPC statuses', () => {
  function capturingLogger() {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    return { lines, logger: createLogger('info', sink) };
  }

  it('turns an unexpected error into INTERNAL with an error id, logging the stack but not telling the client', () => {
    const { lines, logger } = capturingLogger();

    const translated = toGrpcStatus(new TypeError('cannot read properties of undefined (secret internals)'), logger);

    expect(translated.code).toBe(status.INTERNAL);
    expect(translated.details).toMatch(/^internal error \(the server logged it as error [0-9a-f]{8}\)$/);
    expect(translated.details).not.toContain('secret');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'internal error', err: { type: 'TypeError', message: expect.stringContaining('secret') } });
    expect(String((lines[0].err as { stack: string }).stack)).toContain('server-errors.test.ts');
    expect(translated.details).toContain(String(lines[0].errorId));
  });

  it('keeps a CoschedError INTERNAL (a bug cosched caught itself) with its message, and logs it', () => {
    const { lines, logger } = capturingLogger();

    const translated = toGrpcStatus(new CoschedError('INTERNAL', 'the plan failed the independent check', { reason: 'PLAN_CHECK_FAILED' }), logger);

    expect(translated).toMatchObject({ code: status.INTERNAL, details: 'the plan failed the independent check' });
    expect(decodeStatusDetails(translated.metadata).errorInfo?.reason).toBe('PLAN_CHECK_FAILED');
    expect(lines[0]).toMatchObject({ level: 'error', err: { message: 'the plan failed the independent check' } });
  });

  it('sends the first violations that fit in the status byte budget when there are too many for HTTP/2 headers, saying how many were left out', () => {
    const { logger } = capturingLogger();
    const violations = Array.from({ length: 1_000 }, (_, j) => ({ field: `jobs[${j}].gpuHours`, description: 'got -1; expected a number > 0' }));

    const translated = toGrpcStatus(CoschedError.invalid(violations), logger);

    const details = decodeStatusDetails(translated.metadata);
    const kept = details.badRequest!.fieldViolations;
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(violations.slice(0, kept.length));
    expect(details.errorInfo?.metadata.violations).toBe('1000');
    expect(translated.details).toMatch(/^invalid plan request: 1000 bad fields\n {2}jobs\[0\]\.gpuHours: /);
    expect(translated.details.endsWith(`... and ${1_000 - kept.length} more (ValidatePlanRequest lists every one)`)).toBe(true);
    expect(details.status?.message).toBe(translated.details);
    const sentBytes = encodeURI(translated.details).length + Buffer.from(translated.metadata.get('grpc-status-details-bin')[0] as Buffer).toString('base64').length;
    expect(sentBytes).toBeLessThanOrEqual(maxStatusBytes);
  });
});

describe('plan worker failures', () => {
  it('a crashed worker fails its plan with INTERNAL and is replaced; the process goes on', async () => {
    const crashes: Error[] = [];
    const pool = await PlanWorkerPool.start({
      workers: 1,
      workerModule: new URL('./fixtures/crashingPlanWorker.js', import.meta.url),
      onWorkerError: (error) => crashes.push(error),
    });
    try {
      const problem = validatePlanRequest(oneSiteFourHours());

      await expect(pool.plan(problem)).rejects.toMatchObject({ code: 'INTERNAL', reason: 'PLAN_WORKER_CRASHED' });
      expect(crashes[0]?.message).toContain('crashed, as asked');
      await expect.poll(() => pool.stats(), { timeout: 10_000 }).toMatchObject({ idle: 1, busy: 0 });
    } finally {
      await pool.close();
    }
  });

  it('a planner error inside a worker comes back with its stack, and the worker keeps serving', async () => {
    const pool = await PlanWorkerPool.start({ workers: 1 });
    try {
      const problem = validatePlanRequest(oneSiteFourHours());
      const broken = { ...problem, sites: undefined } as unknown as typeof problem;

      const error = await pool.plan(broken).then(
        () => new Error('planned a broken problem'),
        (e: unknown) => e as Error,
      );

      expect(error.name).toBe('TypeError');
      expect(error.stack).toContain('planProblem');
      expect((await pool.plan(problem)).termination).toBe('optimal');
      expect(pool.stats()).toMatchObject({ busy: 0, idle: 1 });
    } finally {
      await pool.close();
    }
  });
});
