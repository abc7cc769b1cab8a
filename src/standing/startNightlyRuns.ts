import { status as grpcCode } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { PlannerStore } from '../store/PlannerStore.js';
import { NightlySchedule } from './NightlySchedule.js';
import { lastFireFromStore, NightlyScheduler } from './NightlyScheduler.js';
import type { PlanRunner } from './PlanRunner.js';
import { operationName } from './resourceNames.js';

/** The running nightly schedule of a server. */
export interface NightlyRuns {
  /** For the start log line: the schedule and its next fire. */
  describe(): { cron: string; timeZone: string; nextFire?: string };
  stop(): Promise<void>;
}

/** Thrown inside a claim transaction to roll it back when another server claimed the fire first. */
class ClaimedElsewhere extends Error {}

/**
 * Starts the nightly plan runs of `cosched serve --nightly CRON --nightly-tz ZONE`
 * (NightlySchedule for the times, NightlyScheduler for the timers):
 * - each fire inserts a NIGHTLY plan run planning from the fire time and claims the fire in the
 *   same transaction (`claimNightlyFire`), so that with several servers on one PostgreSQL exactly
 *   one of them runs it; the others roll back and log that it was claimed;
 * - fires missed while no server ran are kept as plan runs in state MISSED (done, with an
 *   UNAVAILABLE error naming the local time), claimed the same way, so `runs list` shows them.
 * @throws CoschedError INVALID_ARGUMENT for a bad cron or zone (NightlySchedule.parse).
 */
export async function startNightlyRuns(options: { cron: string; timeZone: string; store: PlannerStore; runner: PlanRunner; logger: Logger }): Promise<NightlyRuns> {
  const { store, runner, logger } = options;
  const schedule = NightlySchedule.parse(options.cron, options.timeZone);
  const claim = async (fireMs: number, insert: Parameters<PlanRunner['insertRun']>[1]) => {
    try {
      return await store.write(async (tx) => {
        const run = await runner.insertRun(tx, insert);
        if (!(await tx.claimNightlyFire(schedule.key, fireMs, run.id))) throw new ClaimedElsewhere();
        return run;
      });
    } catch (error) {
      if (error instanceof ClaimedElsewhere) return undefined;
      throw error;
    }
  };
  const scheduler = new NightlyScheduler({
    schedule,
    lastFire: lastFireFromStore(store, schedule),
    logger,
    onFire: async (fireMs) => {
      const run = await claim(fireMs, { nowMs: fireMs, params: {}, trigger: 'nightly', scheduledMs: fireMs });
      if (!run) {
        logger.info({ fire: schedule.describe(fireMs) }, 'nightly run already started by another server');
        return;
      }
      logger.info({ fire: schedule.describe(fireMs), operation: operationName(run.id) }, 'nightly run started');
      runner.enqueue(run.id);
    },
    onMissed: async (fires, total) => {
      let kept = 0;
      for (const fireMs of fires) {
        const message = `missed: no cosched server was running at ${schedule.describe(fireMs)}`;
        const run = await claim(fireMs, { nowMs: fireMs, params: {}, trigger: 'nightly', scheduledMs: fireMs, state: 'missed', error: { code: grpcCode.UNAVAILABLE, message, details: [] } });
        if (run) {
          kept++;
          runner.noteEnded('missed', 'nightly');
        }
      }
      logger.warn({ missed: total, kept, first: fires.length > 0 ? schedule.describe(fires[0]) : undefined }, 'nightly runs were missed while no server ran');
    },
  });
  await scheduler.start();
  return {
    describe: () => ({ cron: schedule.cron, timeZone: schedule.timeZone, nextFire: scheduler.nextFireMs === undefined ? undefined : schedule.describe(scheduler.nextFireMs) }),
    stop: () => scheduler.stop(),
  };
}
