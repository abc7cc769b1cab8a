import type { HighsConstants } from 'highs';
import type { SolverStatus, TerminationCondition } from './SolveOutcome.js';

/**
 * The one place where engine statuses become our two-level outcome (linopy's `constants.py`
 * idea): a solver status (ok / warning / error) and a termination condition.
 *
 * Levels: 'ok' when the answer is usable as asked (optimal, or time-limited with a feasible
 * schedule); 'warning' when the solver worked but there is no schedule (infeasible, unbounded,
 * time limit without a solution, cancelled); 'error' when the solver failed.
 */
export interface Termination {
  status: SolverStatus;
  termination: TerminationCondition;
}

const optimal: Termination = { status: 'ok', termination: 'optimal' };
const limitWithSolution: Termination = { status: 'ok', termination: 'time_limit_feasible' };
const limitWithoutSolution: Termination = { status: 'warning', termination: 'time_limit_no_solution' };
const infeasible: Termination = { status: 'warning', termination: 'infeasible' };
const unbounded: Termination = { status: 'warning', termination: 'unbounded' };
const cancelled: Termination = { status: 'warning', termination: 'cancelled' };
const solverError: Termination = { status: 'error', termination: 'solver_error' };

/** How a HiGHS model status reads; 'limit' depends on whether HiGHS holds a feasible point. */
type HighsStatusKind = 'optimal' | 'limit' | 'infeasible' | 'unbounded' | 'interrupted' | 'error';

/** The name of a HiGHS model status, as in `highs.constants.modelStatus`. */
export type HighsModelStatusName = keyof HighsConstants['modelStatus'];

/**
 * Every HiGHS model status (highs-js names) with its code (the C API's, stable across releases),
 * its meaning and HiGHS's own text (`Highs::modelStatusToString`). Typed as a full Record so a
 * status added by a new highs release fails type-checking here instead of falling through.
 */
const highsModelStatuses: Record<HighsModelStatusName, { code: number; kind: HighsStatusKind; text: string }> = {
  notSet: { code: 0, kind: 'error', text: 'Not Set' },
  loadError: { code: 1, kind: 'error', text: 'Load error' },
  modelError: { code: 2, kind: 'error', text: 'Model error' },
  presolveError: { code: 3, kind: 'error', text: 'Presolve error' },
  solveError: { code: 4, kind: 'error', text: 'Solve error' },
  postsolveError: { code: 5, kind: 'error', text: 'Postsolve error' },
  // HiGHS reports an empty model without solving; there is nothing to optimise.
  empty: { code: 6, kind: 'optimal', text: 'Empty' },
  optimal: { code: 7, kind: 'optimal', text: 'Optimal' },
  infeasible: { code: 8, kind: 'infeasible', text: 'Infeasible' },
  // Only reached when a re-solve without presolve could not tell either (see highsWorker): a
  // plan model is never unbounded by construction, so "no feasible plan" is the useful reading.
  unboundedOrInfeasible: { code: 9, kind: 'infeasible', text: 'Primal infeasible or unbounded' },
  unbounded: { code: 10, kind: 'unbounded', text: 'Unbounded' },
  // We set none of these limits, but they end a solve the way a time limit does.
  objectiveBound: { code: 11, kind: 'limit', text: 'Bound on objective reached' },
  objectiveTarget: { code: 12, kind: 'limit', text: 'Target for objective reached' },
  timeLimit: { code: 13, kind: 'limit', text: 'Time limit reached' },
  iterationLimit: { code: 14, kind: 'limit', text: 'Iteration limit reached' },
  solutionLimit: { code: 16, kind: 'limit', text: 'Solution limit reached' },
  unknown: { code: 15, kind: 'error', text: 'Unknown' },
  interrupted: { code: 17, kind: 'interrupted', text: 'Interrupted by user' },
};

/** What one HiGHS run ended with, as reported by the worker. */
export interface HighsRunStatus {
  /** Numeric model status (`getModelStatus()`). */
  modelStatus: number;
  /** True when HiGHS holds a feasible primal solution (`primal_solution_status` = feasible). */
  primalFeasible: boolean;
}

/**
 * Maps a HiGHS model status to our outcome, with HiGHS's own status text.
 *
 * Edge cases: time, iteration, solution and objective limits give 'time_limit_feasible' when a
 * feasible point exists, else 'time_limit_no_solution'; 'optimal' without a feasible point (never
 * seen, but not excluded by the API) is a 'solver_error'; 'interrupted' is 'cancelled'; an
 * unknown numeric code (a newer HiGHS) is a 'solver_error' whose text names the code.
 */
export function highsTermination(run: HighsRunStatus): Termination & { text: string } {
  const name = highsStatusName(run.modelStatus);
  if (name === undefined) return { ...solverError, text: `HiGHS model status ${run.modelStatus}` };
  const { kind, text } = highsModelStatuses[name];
  switch (kind) {
    case 'optimal':
      return run.primalFeasible ? { ...optimal, text } : { ...solverError, text: `${text} without a feasible solution` };
    case 'limit':
      return { ...(run.primalFeasible ? limitWithSolution : limitWithoutSolution), text };
    case 'infeasible':
      return { ...infeasible, text };
    case 'unbounded':
      return { ...unbounded, text };
    case 'interrupted':
      return { ...cancelled, text };
    case 'error':
      return { ...solverError, text };
  }
}

const highsStatusNamesByCode = new Map(
  Object.entries(highsModelStatuses).map(([name, { code }]) => [code, name as HighsModelStatusName]),
);

/** The highs-js name of a numeric model status, or undefined for a code this table does not know. */
export function highsStatusName(code: number): HighsModelStatusName | undefined {
  return highsStatusNamesByCode.get(code);
}

/** The numeric code of a HiGHS model status name. */
export function highsStatusCode(name: HighsModelStatusName): number {
  return highsModelStatuses[name].code;
}

/** What javascript-lp-solver returned, plus what the adapter knows about the run. */
export interface JsLpRunStatus {
  /** The library's `feasible` flag. */
  feasible: boolean;
  /** The library's `bounded` flag. */
  bounded: boolean;
  /** The model had integer columns (branch and cut ran). */
  isMilp: boolean;
  /** The run reached its `timeout`; the library does not say so itself. */
  hitTimeLimit: boolean;
  /** The library's cycle detector fired (it then reports `feasible: false`, which is not proof). */
  cycled: boolean;
  /** The library's `isIntegral` flag: branch and cut found an integral point. */
  integral: boolean;
}

/**
 * Maps a javascript-lp-solver result to our outcome.
 *
 * The library gives no trustworthy signal when a MILP's time limit hits: branch and cut just
 * stops, `feasible` may then mean "no integer point yet", and the incumbent carries no gap. So a
 * MILP that hit its limit is never 'optimal' nor 'infeasible': it is 'time_limit_feasible' when an
 * integral point came back, else 'time_limit_no_solution'. A detected cycle is a 'solver_error'.
 * (The adapter refuses MILPs anyway; see solveWithJsLp.)
 */
export function jsLpTermination(run: JsLpRunStatus): Termination {
  if (run.cycled) return solverError;
  if (run.isMilp && run.hitTimeLimit) return run.feasible && run.integral ? limitWithSolution : limitWithoutSolution;
  if (!run.feasible) return infeasible;
  if (!run.bounded) return unbounded;
  return optimal;
}

/**
 * Outcomes an adapter reaches without an engine status: aborted before or during the solve, a
 * refused or broken model, a crashed worker, a watchdog stop, a model without columns.
 */
export const adapterTerminations = {
  cancelled,
  solverError,
  /** The engine overran its time limit by the watchdog's grace and was stopped without an answer. */
  overrun: limitWithoutSolution,
  /** A model without columns whose rows all admit 0. */
  trivialOptimal: optimal,
  /** A model with a row that cannot hold (e.g. an empty row 0 >= 1). */
  trivialInfeasible: infeasible,
} as const satisfies Record<string, Termination>;
