import type { ModelSize } from '../model/LinearModel.js';
import type { Problem } from '../problem/Problem.js';

/**
 * The largest model solved in the calling thread instead of a HiGHS worker thread (see
 * solvesInThisThread). Calibrated on the benchmark's tiny plan (3 sites × 24 h × 10 jobs: 614
 * variables, 2,192 non-zeros, about 10 ms for HiGHS in a fresh process): LPs up to these sizes
 * solve in tens of milliseconds, less than starting a worker thread and loading HiGHS there.
 */
export const inThisThreadLimits = { variables: 5_000, nonzeros: 20_000 } as const;

/**
 * The one rule for "solve this model with HiGHS in the calling thread, no worker hop": true for an
 * LP (no integer variables) of at most `inThisThreadLimits` variables and non-zeros.
 *
 * Such a solve blocks the calling thread while HiGHS runs, so nothing (Ctrl-C, an abort signal, a
 * watchdog) can stop it midway; HiGHS's own time limit still holds. MILPs are never solved here,
 * however small: branch and bound can run until the time limit. Callers that need a solve to be
 * cancellable at any moment keep using the worker (solveWithHighs).
 */
export function solvesInThisThread(size: Pick<ModelSize, 'variables' | 'nonzeros' | 'integerVariables'>): boolean {
  return size.integerVariables === 0 && size.variables <= inThisThreadLimits.variables && size.nonzeros <= inThisThreadLimits.nonzeros;
}

/**
 * A guess, before any model is built, whether `problem`'s models may pass solvesInThisThread: false
 * when its jobs have more job-site-hours (each a candidate `gpus` column) than the variable limit.
 * The CLI uses it only to decide whether to start the HiGHS worker early; a wrong guess costs
 * time, never changes a plan (the model itself is what solvesInThisThread decides on).
 */
export function mayPlanInThisThread(problem: Problem): boolean {
  let jobSiteHours = 0;
  for (const job of problem.jobs) jobSiteHours += job.allowedSites.length * Math.max(0, job.windowEnd - job.windowStart);
  return jobSiteHours <= inThisThreadLimits.variables;
}
