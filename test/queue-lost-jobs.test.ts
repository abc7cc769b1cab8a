import { Queue } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { QueuePlanExecutor, type PlanTiming } from '../src/queue/QueuePlanExecutor.js';
import { preparePlan } from '../src/server/preparePlan.js';
import { northEastSixHours } from './factories/whatIfRequests.js';
import { removeQueue, testQueueName } from './helpers/queueWorkers.js';

const redisUrl = inject('coschedTestRedisUrl');
const queueName = testQueueName('lost-jobs');

describe('plans that no worker will answer (no worker runs here)', () => {
  afterAll(() => removeQueue(redisUrl, queueName));

  it('ends INTERNAL (PLAN_JOB_LOST) once the executor looks it up, instead of waiting forever', async () => {
    const timings: PlanTiming[] = [];
    const executor = await QueuePlanExecutor.start({ url: redisUrl, queueName, statsIntervalMs: 200, reconcileAfterMs: 300, onPlanTimed: (t) => timings.push(t) });
    const queue = new Queue(queueName, { connection: { url: redisUrl } });
    try {
      const planned = executor.plan(preparePlan(northEastSixHours(), { maxCells: 1e6 }));
      const outcome = planned.then(
        () => 'resolved',
        (error: { code?: string; reason?: string; message: string }) => error,
      );
      // No worker takes it: it waits. Remove it as an operator might (or as Redis losing its data would).
      let removed = 0;
      for (let i = 0; i < 50 && removed === 0; i++) {
        const [job] = await queue.getWaiting();
        if (job) removed = (await queue.remove(job.id!)) ? 1 : 0;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(removed).toBe(1);
      const error = await outcome;
      expect(error).toMatchObject({ code: 'INTERNAL', reason: 'PLAN_JOB_LOST' });
      expect((error as { message: string }).message).toMatch(new RegExp(`is no longer in the queue ${queueName}`));
      expect(timings.map((t) => t.outcome)).toEqual(['failed']);
    } finally {
      await queue.close();
      await executor.close();
    }
  });

  it('fails UNAVAILABLE (NO_PLAN_WORKERS) when no worker has been alive for the grace period, waiting plans and new ones', async () => {
    const executor = await QueuePlanExecutor.start({ url: redisUrl, queueName, statsIntervalMs: 100, noWorkerGraceMs: 400 });
    try {
      const startedMs = Date.now();
      const waiting = executor.plan(preparePlan(northEastSixHours(), { maxCells: 1e6 }));
      await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE', reason: 'NO_PLAN_WORKERS' });
      expect(Date.now() - startedMs).toBeLessThan(5_000);
      await expect(executor.plan(preparePlan(northEastSixHours(), { maxCells: 1e6 }))).rejects.toThrow(/no cosched worker has been alive on the plan queue .* start `cosched worker --queue \.\.\.`/);
    } finally {
      await executor.close();
    }
  });
});
