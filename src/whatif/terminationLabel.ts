import { Termination } from '../generated/cosched/v1/plan_response.js';

const labels = new Map<Termination, string>([
  [Termination.TERMINATION_OPTIMAL, 'optimal'],
  [Termination.TERMINATION_TIME_LIMIT_FEASIBLE, 'time limit'],
  [Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION, 'no plan: time limit'],
  [Termination.TERMINATION_INFEASIBLE, 'no plan: infeasible'],
  [Termination.TERMINATION_UNBOUNDED, 'no plan: unbounded'],
  [Termination.TERMINATION_CANCELLED, 'cancelled'],
  [Termination.TERMINATION_SOLVER_ERROR, 'no plan: solver error'],
]);

/** A short label for a table cell: `optimal`, `time limit` (best plan found), `no plan: time limit`, ... */
export function terminationLabel(termination: Termination): string {
  return labels.get(termination) ?? 'unknown';
}

/** Whether a row's numbers describe a schedule: optimal, or the best found when the time limit hit. */
export function hasSchedule(termination: Termination): boolean {
  return termination === Termination.TERMINATION_OPTIMAL || termination === Termination.TERMINATION_TIME_LIMIT_FEASIBLE;
}
