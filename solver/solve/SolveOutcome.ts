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
  /**
   * Row duals (shadow prices), one per row, when `SolveRunOptions.duals` asked for them and the
   * solve ended optimal: rowDuals[r] = d(objective) / d(the active bound of row r), HiGHS's sign
   * convention for a minimisation (>= 0 at an active lower bound, <= 0 at an active upper bound,
   * 0 for a row strictly between its bounds). Absent otherwise (and always with jslp).
   */
  rowDuals?: Float64Array;
  /** Column reduced costs c - Aᵀ·rowDuals, one per column; present exactly when rowDuals is. */
  colDuals?: Float64Array;
  /**
   * Where the duals come from: 'lp' (the model is an LP) or 'lp_with_integers_fixed' (a MILP:
   * every integer column fixed at its rounded optimal value and the resulting LP re-solved).
   */
  dualsFrom?: 'lp' | 'lp_with_integers_fixed';
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
  /**
   * true: return row duals and reduced costs (SolveOutcome.rowDuals) for an optimal solve. Free
   * for an LP; for a MILP it costs one more LP solve (the integers fixed). Engines without duals
   * (jslp) ignore it.
   */
  duals?: boolean;
}
