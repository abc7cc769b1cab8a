import type { Problem } from '../problem/Problem.js';
import type { Schedule } from './PlanResult.js';
import { formatHour } from '../problem/formatHour.js';
import { workTolerance } from '../model/jobShape.js';

/**
 * Things a planner should know that are not errors:
 * - a job's window reaches outside the horizon (work is planned only inside it) or its release or
 *   deadline is not on a whole hour (work uses only whole hours inside [release, deadline));
 * - plan and baseline did different amounts of work, so carbon saved compares unequal work.
 */
export function planWarnings(problem: Problem, plan: Schedule | undefined, baseline: Schedule): string[] {
  const warnings: string[] = [];
  problem.jobs.forEach((job, j) => {
    const where = `jobs[${j}] (${job.id})`;
    if (job.releaseHour < 0) warnings.push(`${where}: release ${formatHour(problem, job.releaseHour)} is before the horizon start; planning starts at ${formatHour(problem, 0)}`);
    if (job.deadlineHour > problem.hours) warnings.push(`${where}: deadline ${formatHour(problem, job.deadlineHour)} is after the horizon end ${formatHour(problem, problem.hours)}; work is planned only inside the horizon`);
    if (!Number.isInteger(job.releaseHour) || !Number.isInteger(job.deadlineHour)) {
      warnings.push(`${where}: release or deadline is not on a whole hour; only whole hours inside [release, deadline) are used`);
    }
  });
  if (plan) {
    const planDone = plan.jobs.reduce((sum, j) => sum + j.doneGpuHours, 0);
    const baselineDone = baseline.jobs.reduce((sum, j) => sum + j.doneGpuHours, 0);
    if (Math.abs(planDone - baselineDone) > workTolerance * Math.max(1, planDone, baselineDone)) {
      warnings.push(
        `plan and baseline did different work inside the horizon (${round(planDone)} vs ${round(baselineDone)} GPU-hours): carbon saved compares unequal work` +
          (baselineDone > planDone ? ' (the baseline runs late jobs past their deadlines)' : ''),
      );
    }
  }
  return warnings;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
