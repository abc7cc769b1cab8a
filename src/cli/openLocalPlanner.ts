import { availableParallelism } from 'node:os';
import type { Planner } from '../whatif/Planner.js';
import { PlanWorkerPool } from '../server/PlanWorkerPool.js';

/**
 * A planner for the CLI's what-if commands: plans run in a pool of worker threads (at most one per
 * core, and no more than `plans`), so variants are solved in parallel on the same engine the
 * server uses. Aborting `signal` stops every running plan. Call `close` when done.
 */
export async function openLocalPlanner(plans: number, signal: AbortSignal): Promise<{ planner: Planner; close: () => Promise<void> }> {
  const pool = await PlanWorkerPool.start({ workers: Math.max(1, Math.min(plans, availableParallelism())), maxQueuedPlans: 1_000 });
  return {
    planner: (problem, onEvent) => pool.plan(problem, { signal, onEvent }),
    close: () => pool.close(),
  };
}
