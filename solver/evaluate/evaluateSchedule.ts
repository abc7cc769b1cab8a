import type { Problem } from '../problem/Problem.js';
import type { JobOutcome } from '../plan/PlanResult.js';
import { accountSchedule } from '../accounting/accountSchedule.js';
import { runBaseline } from '../baseline/runBaseline.js';
import { countRunChanges } from '../model/countRunChanges.js';
import { executableRules } from '../model/executableRules.js';
import { dispatchSelfConsumption } from '../baseline/dispatchSelfConsumption.js';
import { checkEvaluation } from '../check/checkPlanResult.js';
import { CoschedError } from '../errors/CoschedError.js';
import { workTolerance } from '../model/jobShape.js';
import { summarise } from '../plan/planProblem.js';
import type { EvaluationResult, FixedSchedule } from './EvaluationResult.js';
import { findScheduleViolations } from './findScheduleViolations.js';

/**
 * Judges a fixed schedule on realised data: `problem` holds what happened (actual intensities,
 * green supply, prices, capacities, windows); `schedule[j]` the runs of problem.jobs[j] as they
 * were planned. Nothing is re-planned:
 * - each job's runs are kept (sorted by start hour, then site), work done = Σ gpus × hours,
 *   unmet = max(0, gpuHours − done) (with a reason), lateHours 0;
 * - the runs are accounted with the one accounting definition (accountSchedule); batteries run
 *   for self-consumption on the realised data (dispatchSelfConsumption), for plan and baseline
 *   alike, since a dispatch planned for other weather cannot be followed as it was;
 * - the carbon-unaware baseline is run on the same data (runBaseline) and compared (summarise);
 * - what the schedule breaks under the data is listed (findScheduleViolations): an answer, not
 *   an error;
 * - the independent checker (checkEvaluation) re-derives every figure and every violation.
 * Runs must lie inside the horizon with whole hours and GPUs in (0, maxGpus] (the edges'
 * validation ensures it). Pure apart from the time it takes.
 *
 * @throws CoschedError INTERNAL (PLAN_CHECK_FAILED) if the checker rejects the result: a bug.
 */
export function evaluateSchedule(problem: Problem, schedule: FixedSchedule): EvaluationResult {
  const jobs: JobOutcome[] = problem.jobs.map((job, j) => {
    const runs = [...(schedule[j] ?? [])].sort((a, b) => a.startHour - b.startHour || a.site - b.site).map((run) => ({ ...run }));
    // Pauses and moves are what the runs show; with the actuals' checkpointMinutes each start
    // after the first costs its checkpoint, as in a plan (executableRules).
    const changes = countRunChanges(runs.flatMap((run) => Array.from({ length: run.hours }, (_, k) => ({ site: run.site, hour: run.startHour + k }))));
    const checkpointGpuHours = executableRules(problem, job).checkpointGpuHours * Math.max(0, changes.siteStarts - 1);
    const done = runs.reduce((sum, run) => sum + run.gpus * run.hours, 0) - checkpointGpuHours;
    const unmet = Math.max(0, job.gpuHours - done);
    const finishHour = runs.length === 0 ? undefined : Math.max(...runs.map((run) => run.startHour + run.hours));
    const reason = unmet > workTolerance * Math.max(1, job.gpuHours) ? `the fixed plan does ${round(done)} of the job's ${round(job.gpuHours)} GPU-hours` : '';
    return { job: j, runs, doneGpuHours: done, unmetGpuHours: unmet, finishHour, lateHours: 0, reason, preemptions: changes.preemptions, migrations: changes.migrations, checkpointGpuHours };
  });
  // Batteries cannot follow a plan's dispatch made for other weather: on the realised data both
  // the judged plan and the baseline run them for self-consumption.
  const judged = accountSchedule(problem, jobs, dispatchSelfConsumption(problem, jobs));
  const baselineJobs = runBaseline(problem);
  const baseline = accountSchedule(problem, baselineJobs, dispatchSelfConsumption(problem, baselineJobs));
  const withoutCheck = { judged, baseline, summary: summarise(problem, judged, baseline), violations: findScheduleViolations(problem, judged) };
  const check = checkEvaluation(problem, withoutCheck);
  if (!check.passed) {
    throw new CoschedError('INTERNAL', `the evaluation failed the independent check (a bug in cosched; please report it):\n  ${check.violations.slice(0, 20).join('\n  ')}`, {
      reason: 'PLAN_CHECK_FAILED',
    });
  }
  return { ...withoutCheck, check };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
