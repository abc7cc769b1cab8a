/**
 * What a solver adapter returns: a two-level outcome in the manner of linopy
 * (status ok/warning/error + a termination condition) and the primal values if there are any.
 */
export type SolverStatus = 'ok' | 'warning' | 'error';

export type TerminationCondition =
  | 'optimal'
  | 'time_limit_feasible'
  | 'time_limit_no_solution'
  | 'infeasible'
  | 'unbounded'
  | 'cancelled'
  | 'solver_error';

export interface SolveOutcome {
  status: SolverStatus;
  termination: TerminationCondition;
  /** Primal values in column order; undefined when there is no feasible solution. */
  values?: Float64Array;
  /** Objective value of the returned solution (includes the model's offset). */
  objective?: number;
  /** Relative MIP gap of the returned solution; 0 for an LP. */
  mipGap: number;
  /** Engine name and version, e.g. "highs 1.15.3". */
  solver: string;
  /** The engine's own status text, verbatim. */
  solverStatus: string;
  /** Wall-clock time of the solve call, ms. */
  solveMs: number;
  /** True when the engine started from the model's start (LinearModel.start); absent when it did not. */
  startUsed?: boolean;
}

/** A progress event from a running solve (MIP bound/incumbent where the engine gives one). */
export interface SolveProgress {
  elapsedMs: number;
  /** Best objective found so far, if any. */
  incumbent?: number;
  /** Best proven bound, if known. */
  bound?: number;
  mipGap?: number;
}

/** Settings for one solver run. */
export interface SolveRunOptions {
  timeLimitSeconds: number;
  mipGap: number;
  /** Aborting stops the solve promptly and frees its worker; the outcome is 'cancelled'. */
  signal?: AbortSignal;
  onProgress?: (progress: SolveProgress) => void;
}
