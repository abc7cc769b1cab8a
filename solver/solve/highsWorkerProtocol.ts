import type { LinearModel } from '../model/LinearModel.js';
import type { SolveProgress } from './SolveOutcome.js';

/**
 * A solve request from HighsThread (parent) to highsWorker (the worker thread). The model's typed
 * arrays travel as transferred copies; its names as plain string arrays. One request at a time.
 */
export type HighsWorkerRequest = {
  kind: 'solve';
  /** Matches replies to this request. */
  id: number;
  model: LinearModel;
  timeLimitSeconds: number;
  mipGap: number;
  /** Minimum ms between progress messages; 0 sends none. */
  progressIntervalMs: number;
};

/** What the worker sends back: 'ready' once, then progress and one result or error per request. */
export type HighsWorkerReply =
  /** Sent once, when the worker has loaded HiGHS. */
  | { kind: 'ready'; loadMs: number }
  | { kind: 'progress'; id: number; progress: Omit<SolveProgress, 'elapsedMs'> }
  | {
      kind: 'result';
      id: number;
      /** Numeric HiGHS model status after the final run. */
      modelStatus: number;
      primalFeasible: boolean;
      isMip: boolean;
      /** Column values when HiGHS holds a feasible point. */
      values?: Float64Array;
      objective?: number;
      /** HiGHS's `mip_gap` info for a MILP (Infinity when unknown); absent for an LP. */
      mipGap?: number;
      /** True when an 'infeasible or unbounded' answer was re-solved without presolve. */
      resolvedWithoutPresolve: boolean;
    }
  /** HiGHS threw (invalid model, failed option, Wasm abort); the worker should be replaced. */
  | { kind: 'error'; id: number; message: string };
