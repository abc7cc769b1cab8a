import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanWorkerPoolStats, PoolPlanOptions } from './PlanWorkerPool.js';

/**
 * Where a server's plans run: its own worker threads (PlanWorkerPool, the embedded default), or
 * worker processes behind a queue. Every RPC that plans (Plan, WatchPlan, CompareScenarios,
 * SweepFrontier, the standing planner's runs) goes through one.
 *
 * Contract of `plan`, whatever the implementation: resolves with the checked PlanResult; events
 * reach `onEvent` in order on the caller's thread; aborting `signal` stops the plan wherever it
 * runs and rejects with the signal's reason (a CoschedError); `timeLimitSeconds()` is asked when
 * the plan starts solving (an executor whose plans start in another process asks it when it
 * enqueues the plan, and derives the limit from `deadline` when the plan starts); errors are
 * CoschedErrors (RESOURCE_EXHAUSTED when full, UNAVAILABLE when the executor cannot reach its
 * workers, INTERNAL for a crash) or an Error for a bug.
 */
export interface PlanExecutor {
  /** How many plans it runs at once (what-if calls hand it at most this many at a time); >= 1. */
  readonly size: number;
  plan(problem: Problem, options?: PoolPlanOptions): Promise<PlanResult>;
  /** A snapshot for logs and metrics. */
  stats(): PlanWorkerPoolStats;
  /** Refuses new plans, stops the running ones, releases its threads or connections. */
  close(): Promise<void>;
}
