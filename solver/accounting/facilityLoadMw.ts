import type { Problem } from '../problem/Problem.js';
import type { JobOutcome } from '../plan/PlanResult.js';
import { transferLoadMw } from './transferLoadMw.js';

/** The jobs' IT load L per site and hour (MW): Σ over their runs of gpus × gpuPowerKw / 1000. Pure. */
export function jobItLoadMw(problem: Problem, jobs: readonly JobOutcome[]): number[][] {
  const loadMw = problem.sites.map(() => new Array<number>(problem.hours).fill(0));
  for (const outcome of jobs) {
    const powerMw = problem.jobs[outcome.job].gpuPowerKw / 1000;
    for (const run of outcome.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours; t++) loadMw[run.site][t] += run.gpus * powerMw;
    }
  }
  return loadMw;
}

/**
 * The facility load F per site and hour (MW), as the accounting defines it (README,
 * "Accounting"): pue × (L + baseLoadMw) + the links' transfer energy sent from the site. Pure.
 */
export function facilityLoadMw(problem: Problem, jobs: readonly JobOutcome[]): number[][] {
  const itMw = jobItLoadMw(problem, jobs);
  const transferMw = transferLoadMw(problem, jobs);
  return problem.sites.map((site, s) => itMw[s].map((load, t) => site.pue * (load + site.baseLoadMw[t]) + transferMw[s][t]));
}
