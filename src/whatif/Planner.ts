import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';

/**
 * Plans one validated problem, as `planProblem` does (baseline, solve, accounts, independent
 * check), reporting its events to `onEvent`. Injected so that the gRPC server can run the plans
 * of a comparison or a frontier on its worker pool, and the CLI in worker threads of its own;
 * the what-if functions start their plans at once and let the planner bound the parallelism.
 */
export type Planner = (problem: Problem, onEvent?: (event: PlanEvent) => void) => Promise<PlanResult>;
