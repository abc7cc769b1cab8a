import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import { HighsThread } from './HighsThread.js';

/** Created on first use; replaces its own worker after a cancellation or failure. */
let shared: HighsThread | undefined;

/**
 * Starts the shared HiGHS worker and loads the WebAssembly runtime now, so that a solve made soon
 * after does not wait for them (the CLI calls this before reading its input). Never rejects: a
 * worker that fails to start is reported by the next solve, as without warm-up.
 */
export function warmUpHighs(): void {
  shared ??= new HighsThread();
  shared.warmUp().catch(() => undefined);
}

/**
 * Solves `model` with HiGHS (WebAssembly) in a worker thread, keeping the main thread free.
 *
 * Uses one shared HighsThread, so the HiGHS instance is loaded once per process; a call made
 * while the shared thread is busy gets a one-shot thread of its own, closed afterwards. Never
 * rejects: infeasible, unbounded, time-limited (with values and the achieved gap when a feasible
 * point exists), cancelled (`options.signal`: the worker is terminated at once) and failed solves
 * all resolve as a SolveOutcome. The idle shared worker does not keep the process alive.
 */
export async function solveWithHighs(model: LinearModel, options: SolveRunOptions): Promise<SolveOutcome> {
  shared ??= new HighsThread();
  if (!shared.busy) return shared.solve(model, options);
  const oneShot = new HighsThread();
  try {
    return await oneShot.solve(model, options);
  } finally {
    await oneShot.close();
  }
}
