import type { SolveProgress } from './SolveOutcome.js';
import type { HighsRunResult, HighsSolveRequest } from './solveHighsInThisThread.js';

/**
 * A solve request from HighsThread (parent) to highsWorker (the worker thread). The model's typed
 * arrays travel as transferred copies; its names as plain string arrays. One request at a time.
 */
export type HighsWorkerRequest = HighsSolveRequest & {
  kind: 'solve';
  /** Matches replies to this request. */
  id: number;
};

/** What the worker sends back: 'ready' once, then progress and one result or error per request. */
export type HighsWorkerReply =
  /** Sent once, when the worker has loaded HiGHS. */
  | { kind: 'ready'; loadMs: number }
  | { kind: 'progress'; id: number; progress: Omit<SolveProgress, 'elapsedMs'> }
  | ({ kind: 'result'; id: number } & HighsRunResult)
  /** HiGHS threw (invalid model, failed option, Wasm abort); the worker should be replaced. */
  | { kind: 'error'; id: number; message: string };
