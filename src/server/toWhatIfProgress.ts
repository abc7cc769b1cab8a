import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import {
  WhatIfPhase,
  type CompareScenariosProgress,
  type SweepFrontierProgress,
} from '../generated/cosched/v1/co_scheduler_service.js';
import { Termination } from '../generated/cosched/v1/plan_response.js';
import type { CompareProgress } from '../whatif/planScenarios.js';
import type { FrontierProgress } from '../whatif/sweepFrontier.js';

// As toPlanResponse maps it.
const terminationToProto: Record<TerminationCondition, Termination> = {
  optimal: Termination.TERMINATION_OPTIMAL,
  time_limit_feasible: Termination.TERMINATION_TIME_LIMIT_FEASIBLE,
  time_limit_no_solution: Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION,
  infeasible: Termination.TERMINATION_INFEASIBLE,
  unbounded: Termination.TERMINATION_UNBOUNDED,
  cancelled: Termination.TERMINATION_CANCELLED,
  solver_error: Termination.TERMINATION_SOLVER_ERROR,
};

/**
 * A comparison's `started` or `finished` event as a CompareScenariosProgress message; undefined
 * for a plan's own events (`plan_event`), which the RPC does not stream. `finished` is 0 on a
 * started event; termination and solveMs are set on finished events only.
 */
export function toCompareProgress(progress: CompareProgress, elapsedMs: number): CompareScenariosProgress | undefined {
  if (progress.kind === 'plan_event') return undefined;
  const common = { variantName: progress.name, index: progress.index, total: progress.total, elapsedMs };
  if (progress.kind === 'started') {
    return { ...common, phase: WhatIfPhase.WHAT_IF_PHASE_STARTED, finished: 0, termination: Termination.TERMINATION_UNSPECIFIED, solveMs: 0 };
  }
  return {
    ...common,
    phase: WhatIfPhase.WHAT_IF_PHASE_FINISHED,
    finished: progress.finished,
    termination: terminationToProto[progress.termination] ?? Termination.UNRECOGNIZED,
    solveMs: progress.solveMs,
  };
}

/**
 * A sweep's progress event as a SweepFrontierProgress message. The engine's events carry only the
 * count of their own kind, so `counts` (updated here) keeps the other one.
 */
export function toFrontierProgress(progress: FrontierProgress, counts: { started: number; finished: number }, elapsedMs: number): SweepFrontierProgress {
  if (progress.kind === 'started') counts.started = progress.started;
  else counts.finished = progress.finished;
  return {
    costWeight: progress.costWeight,
    phase: progress.kind === 'started' ? WhatIfPhase.WHAT_IF_PHASE_STARTED : WhatIfPhase.WHAT_IF_PHASE_FINISHED,
    started: counts.started,
    finished: counts.finished,
    maxPlans: progress.maxPlans,
    termination: progress.kind === 'finished' ? (terminationToProto[progress.termination] ?? Termination.UNRECOGNIZED) : Termination.TERMINATION_UNSPECIFIED,
    elapsedMs,
  };
}
