import type { Problem } from '../problem/Problem.js';

/**
 * An upper bound on the cut rows (gridFloor[s,t(,k)], see buildModel's maths) that
 * `buildModel(problem, stage)` adds with its default options: one per scenario (one without
 * forecast scenarios) and hour of each site without storage that some non-interruptible job may
 * use in that hour (its window, an allowed site). The naive model (naiveModelSize) has no cuts, so
 * naiveModelSize + this bounds the default model's rows. Pure; O(jobs × allowed sites + sites × hours).
 */
export function maxCutRows(problem: Problem): number {
  const covered = problem.sites.map(() => new Uint8Array(problem.hours));
  for (const job of problem.jobs) {
    if (job.interruptible) continue;
    for (const s of job.allowedSites) {
      if (problem.sites[s].storage) continue;
      for (let t = Math.max(0, job.windowStart); t < Math.min(problem.hours, job.windowEnd); t++) covered[s][t] = 1;
    }
  }
  let rows = 0;
  for (const hours of covered) for (const flag of hours) rows += flag;
  return rows * Math.max(1, (problem.scenarios ?? []).length);
}
