import type { ModelSize } from '../model/LinearModel.js';
import type { Problem } from '../problem/Problem.js';
import { executableRules } from '../model/executableRules.js';

/**
 * The largest model solved in the calling thread instead of a HiGHS worker thread (see
 * solvesInThisThread): measured at about 0.2 s of HiGHS or less, which is how long the CLI may leave
 * Ctrl-C waiting (a measurement, not a bound: only the time limit bounds a solve).
 * Measured through the CLI (issue 15, 2 cores, load average 6, solve times with HiGHS's load):
 * 3×24×10 (614 variables) 0.01-0.09 s, 5×48×45 (3,893 variables) about 0.11 s, 8×48×100 (8,309
 * variables, 31,643 non-zeros) about 0.18 s, 10×48×200 (16,103 variables) about 0.33 s. Up to
 * these sizes and well beyond, this is also cheaper than the worker: its start, its warm-up solve
 * and the optimising compiler's work cost 0.6 s of CPU or more (8×48×100: 0.55 s of CPU end to end
 * here, 1.4 s through the worker).
 */
export const inThisThreadLimits = { variables: 10_000, nonzeros: 40_000 } as const;

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
 * when a job would bring integer columns (a non-interruptible job; minGpus; whole GPUs, one site
 * per hour or a checkpoint cost, see executableRules; data it may have to move over a link, whose
 * ready gates are binaries), or when the columns the model may have exceed the variable limit:
 * each job-site-hour (a candidate `gpus` column) and each site-hour (grid; with storage also
 * charge, discharge and soc), the site-hours once per forecast scenario.
 * The CLI uses it only to decide which HiGHS to start loading early, in its own thread or the
 * worker; a wrong guess costs time, never changes a plan (the model itself is what
 * solvesInThisThread decides on, and a worker started after a quick-start load gets WebAssembly
 * tier-up back, see restoreWasmTiering).
 */
export function mayPlanInThisThread(problem: Problem): boolean {
  const linked = (problem.links ?? []).length > 0;
  const integers = problem.jobs.some((job) => {
    if (!job.interruptible || job.minGpus > 0) return true;
    const rules = executableRules(problem, job);
    if (rules.wholeGpus || rules.oneSitePerHour || rules.checkpointGpuHours > 0) return true;
    return linked && job.data !== undefined && job.data.datasetGb > 0;
  });
  if (integers) return false;
  let columns = 0;
  for (const job of problem.jobs) columns += job.allowedSites.length * Math.max(0, job.windowEnd - job.windowStart);
  const scenarios = Math.max(1, (problem.scenarios ?? []).length);
  for (const site of problem.sites) columns += problem.hours * (site.storage ? 4 : 1) * scenarios;
  return columns <= inThisThreadLimits.variables;
}
