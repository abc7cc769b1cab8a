import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatusDetails } from '../src/client/decodeStatusDetails.js';
import type { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import { job, request, site } from './factories/planRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/**
 * Site a is clean in hours 0 and 2 and dirty in hour 1; a 15-GPU-hour job on up to 10 GPUs of
 * 1 kW with a 30-minute checkpoint: it pauses through hour 1 and pays the restart (5 GPU-hours).
 */
function pauseWorthACheckpoint(): PlanRequest {
  return request(3, [site('a', [0, 0, 0], [100, 900, 100], { gpuCapacity: 16 })], [
    job('j1', 'a', { gpuHours: 15, maxGpus: 10, gpuPowerKw: 1, deadline: { seconds: Date.UTC(2026, 6, 1, 3) / 1000, nanos: 0 }, checkpointMinutes: 30 }),
  ], { options: { timeLimitSeconds: 30, mipGap: 0, solver: 0, integerGpus: true } });
}

let test: TestServer;
beforeAll(async () => {
  test = await startTestServer();
});
afterAll(() => test?.close());

describe('Plan with executable schedules', () => {
  it('answers whole GPUs with the preemption and checkpoint GPU-hours per job and in the summary', async () => {
    const response = await callPlan(test.client, pauseWorthACheckpoint());

    expect(response.termination).toBe(Termination.TERMINATION_OPTIMAL);
    expect(response.jobs[0].allocations.map((a) => [a.hours, a.gpus])).toEqual([[1, 10], [1, 10]]);
    expect(response.jobs[0]).toMatchObject({ preemptions: 1, migrations: 0, checkpointGpuHours: 5, doneGpuHours: 15 });
    expect(response.summary).toMatchObject({ preemptions: 1, migrations: 0, checkpointGpuHours: 5, jobItEnergyMwh: 0.02 });
    expect(response.check?.passed).toBe(true);
  });

  it('refuses a checkpoint on a non-interruptible job with INVALID_ARGUMENT naming the field', async () => {
    const bad = pauseWorthACheckpoint();
    bad.jobs[0].interruptible = false;
    const error = await callPlan(test.client, bad).then(
      () => expect.unreachable('the call should fail'),
      (e: ServiceError) => e,
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const fields = decodeStatusDetails(error.metadata).badRequest?.fieldViolations.map((v) => v.field);
    expect(fields).toEqual(['jobs[0].checkpointMinutes']);
  });
});
