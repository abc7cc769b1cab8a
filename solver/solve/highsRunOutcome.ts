import type { SolveOutcome } from './SolveOutcome.js';
import type { HighsRunResult } from './solveHighsInThisThread.js';
import { highsEngineName } from './engineNames.js';
import { highsTermination } from './terminationTable.js';

/**
 * The SolveOutcome of a finished HiGHS run, through the termination table. Values and objective
 * are kept only when the termination has a solution (optimal, time limit with a feasible point);
 * the gap is 0 for an LP, HiGHS's for a MILP with a solution, and Infinity (unknown) without one.
 * `startedMs` (performance.now() when the solve was asked for) gives `solveMs`. Duals are kept
 * only for an optimal termination.
 */
export function highsRunOutcome(run: HighsRunResult, startedMs: number): SolveOutcome {
  const mapped = highsTermination({ modelStatus: run.modelStatus, primalFeasible: run.primalFeasible });
  const withSolution = mapped.termination === 'optimal' || mapped.termination === 'time_limit_feasible';
  return {
    status: mapped.status,
    termination: mapped.termination,
    values: withSolution ? run.values : undefined,
    objective: withSolution ? run.objective : undefined,
    // No solution, no gap: Infinity, as HiGHS reports it.
    mipGap: !run.isMip ? 0 : withSolution ? (run.mipGap ?? Infinity) : Infinity,
    solver: highsEngineName(),
    solverStatus: run.resolvedWithoutPresolve
      ? `${mapped.text} (after a re-solve without presolve)`
      : run.valuesFromStart
        ? `${mapped.text} (simplex had no feasible point of its own yet: the plan is the greedy start)`
        : mapped.text,
    solveMs: performance.now() - startedMs,
    ...(run.startUsed ? { startUsed: true } : {}),
    ...(mapped.termination === 'optimal' && run.rowDuals && run.colDuals ? { rowDuals: run.rowDuals, colDuals: run.colDuals, dualsFrom: run.dualsFrom } : {}),
  };
}
