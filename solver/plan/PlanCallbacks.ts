import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveProgress, SolveRunOptions } from '../solve/SolveOutcome.js';

/** Events a running plan reports, in order. Used by streaming RPCs and the CLI. */
export type PlanEvent =
  | { kind: 'model_built'; variables: number; constraints: number; integerVariables: number; buildMs: number; stage: number }
  | { kind: 'solver_progress'; stage: number; progress: SolveProgress }
  | { kind: 'solved'; stage: number; termination: string; solveMs: number }
  | { kind: 'checked'; checks: number; passed: boolean };

/** Options for `planProblem`. */
export interface PlanCallbacks {
  /** Aborting cancels the solve; planProblem then resolves with termination 'cancelled'. */
  signal?: AbortSignal;
  onEvent?: (event: PlanEvent) => void;
  /**
   * Solves one model; defaults to `solveModel` (HiGHS in a worker thread). A caller that already
   * runs the plan in a worker thread passes a solver that runs HiGHS in that thread.
   */
  solve?: (model: LinearModel, engine: 'highs' | 'jslp', options: SolveRunOptions) => Promise<SolveOutcome>;
}
