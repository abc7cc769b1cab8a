import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, Schedule } from '../plan/PlanResult.js';
import type { TerminationCondition } from '../solve/SolveOutcome.js';
import { jobShape, workTolerance } from '../model/jobShape.js';

/**
 * Says why each job with unmet work missed, in words a planner can act on:
 * - its window can never hold the work (too short for maxGpus, no whole hour in the horizon,
 *   more GPUs than any allowed site has), from jobShape; or
 * - other jobs took the capacity: for each usable site, in how many of the window's hours its
 *   GPUs were all in use or its grid import was at the limit; or
 *   for a job with data, the allowed sites no link reaches from its data site and the linked
 *   sites where it could run only once its data had arrived; or
 * - the solver stopped at its time limit before proving there was no room.
 * Returns new outcomes; those without unmet work get reason ''.
 */
export function explainUnmet(problem: Problem, schedule: Schedule, termination: TerminationCondition): JobOutcome[] {
  const gpusAt = problem.sites.map(() => new Float64Array(problem.hours));
  for (const outcome of schedule.jobs) {
    for (const run of outcome.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours; t++) gpusAt[run.site][t] += run.gpus;
    }
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return schedule.jobs.map((outcome) => {
    const job = problem.jobs[outcome.job];
    if (outcome.unmetGpuHours <= workTolerance * Math.max(1, job.gpuHours)) return { ...outcome, reason: '' };
    const shape = jobShape(problem, job);
    const structuralUnmet = job.gpuHours - shape.maxDoableGpuHours;
    const parts: string[] = [];
    if (structuralUnmet > workTolerance) parts.push(shape.structuralReason);
    if (outcome.unmetGpuHours > structuralUnmet + workTolerance * Math.max(1, job.gpuHours)) {
      const busy: string[] = [];
      for (const s of shape.usableSites) {
        const site = problem.sites[s];
        let full = 0;
        let gridCapped = 0;
        for (let t = job.windowStart; t < job.windowEnd; t++) {
          if (gpusAt[s][t] > site.gpuCapacity - (job.interruptible ? Math.max(1, job.minGpus) : job.maxGpus) + workTolerance) full++;
          else if (schedule.sites[s].gridMw[t] >= site.gridImportLimitMw - 1e-6) gridCapped++;
        }
        if (full > 0) busy.push(`${site.id} had no room in ${full} of ${shape.windowHours} window hours`);
        if (gridCapped > 0) busy.push(`${site.id} was at its grid import limit in ${gridCapped} hours`);
      }
      const limited = termination === 'time_limit_feasible' ? ' (the solver stopped at its time limit, so a better placement may exist)' : '';
      parts.push(`site capacity taken by other jobs: ${busy.length ? busy.join('; ') : 'no allowed site had room for the rest in the window'}${limited}`);
    }
    const data = job.data;
    if (data) {
      const from = problem.sites[data.dataSite].id;
      const unlinked = job.allowedSites.filter((s) => s !== data.dataSite && !shape.usableSites.includes(s) && !(problem.links ?? []).some((l) => l.fromSite === data.dataSite && l.toSite === s));
      const remote = shape.usableSites.filter((s) => s !== data.dataSite);
      if (unlinked.length > 0) parts.push(`no link carries its data from ${from} to ${unlinked.map((s) => problem.sites[s].id).join(', ')}`);
      if (remote.length > 0) parts.push(`at ${remote.map((s) => problem.sites[s].id).join(', ')} it can run only after its ${round(data.datasetGb)} GB have arrived from ${from}`);
    }
    return { ...outcome, reason: `${round(outcome.unmetGpuHours)} of ${round(job.gpuHours)} GPU-hours unmet: ${parts.join('; ')}` };
  });
}
