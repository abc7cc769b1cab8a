import type { FixedSchedule } from '../../solver/evaluate/EvaluationResult.js';
import type { Run } from '../../solver/plan/PlanResult.js';
import { formatHour } from '../../solver/problem/formatHour.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { checkNumber } from './checkNumber.js';
import { checkRequiredTimestamp } from './checkRequiredTimestamp.js';
import { describeJsonValue } from './describeJsonValue.js';
import { formatUtcInstant } from './formatUtcInstant.js';
import type { ViolationList } from './ViolationList.js';

const msPerHour = 3_600_000;

/**
 * Reads the allocations of a plan (a PlanResponse, as Plan or `cosched plan --json` returned it)
 * as a fixed schedule of `problem` (the actuals it is judged on), adding a violation for each bad
 * field, with paths under `plan.` in proto3 JSON names (e.g. `plan.jobs[3].allocations[0].siteId`):
 * - `plan` required; every jobs[i].jobId a job of the actuals, at most once; every job of the
 *   actuals present (reported on `plan.jobs`);
 * - each allocation: siteId a site of the actuals; start a timestamp on a whole hour of the
 *   horizon; hours an integer >= 1 with start + hours inside the horizon; gpus finite, > 0 and at
 *   most the job's maxGpus (fractional GPUs are allowed: an LP plan's interruptible jobs have
 *   them); no two allocations of a job at one site overlapping in time.
 * Only jobs[].jobId and jobs[].allocations are read. What the allocations break under the actuals
 * (windows, capacities, grid limits...) is not an input error: evaluateSchedule lists it.
 * Returns the runs of problem.jobs[j] at index j (only meaningful when no violation was added).
 * `requestName` names `problem` in the messages (`the actuals`, `the planned request`).
 */
export function validateFixedPlan(plan: PlanResponse | undefined, problem: Problem, violations: ViolationList, requestName = 'the actuals'): FixedSchedule {
  const schedule: FixedSchedule = problem.jobs.map(() => []);
  if (plan === undefined || plan === null) {
    violations.add('plan', 'got nothing; expected the PlanResponse to judge');
    return schedule;
  }
  const jobIndex = new Map(problem.jobs.map((job, j) => [job.id, j]));
  const siteIndex = new Map(problem.sites.map((site, s) => [site.id, s]));
  const seen = new Map<number, number>();
  const horizonEndMs = problem.horizonStartMs + problem.hours * msPerHour;
  const horizon = `[${formatUtcInstant(problem.horizonStartMs)}, ${formatUtcInstant(horizonEndMs)})`;

  (plan.jobs ?? []).forEach((jobPlan, i) => {
    const path = `plan.jobs[${i}]`;
    const j = jobIndex.get(jobPlan.jobId);
    if (j === undefined) {
      violations.add(`${path}.jobId`, `got ${describeJsonValue(jobPlan.jobId)}; expected the id of a job of ${requestName}: ${listIds(problem.jobs.map((job) => job.id))}`);
      return;
    }
    const first = seen.get(j);
    if (first !== undefined) {
      violations.add(`${path}.jobId`, `got ${describeJsonValue(jobPlan.jobId)}, which plan.jobs[${first}] already has; expected each job once`);
      return;
    }
    seen.set(j, i);
    const job = problem.jobs[j];
    const runs: Run[] = [];
    (jobPlan.allocations ?? []).forEach((allocation, k) => {
      const at = `${path}.allocations[${k}]`;
      const site = siteIndex.get(allocation.siteId);
      if (site === undefined) {
        violations.add(`${at}.siteId`, `got ${describeJsonValue(allocation.siteId)}; expected the id of a site of ${requestName}: ${listIds(problem.sites.map((s) => s.id))}`);
      }
      const startMs = checkRequiredTimestamp(allocation.start, `${at}.start`, 'an allocation start', violations);
      let startHour: number | undefined;
      if (startMs !== undefined) {
        if ((startMs - problem.horizonStartMs) % msPerHour !== 0 || allocation.start?.nanos !== 0) {
          violations.add(`${at}.start`, `got ${formatUtcInstant(startMs)}; expected a whole hour of the horizon ${horizon}`);
        } else if (startMs < problem.horizonStartMs || startMs >= horizonEndMs) {
          violations.add(`${at}.start`, `got ${formatUtcInstant(startMs)}; expected a whole hour inside the horizon ${horizon}`);
        } else {
          startHour = (startMs - problem.horizonStartMs) / msPerHour;
        }
      }
      const hoursOk = checkNumber(allocation.hours, { integer: true, min: 1 }, `${at}.hours`, violations);
      if (hoursOk && startHour !== undefined && startHour + allocation.hours > problem.hours) {
        violations.add(`${at}.hours`, `got ${allocation.hours}; from ${formatHour(problem, startHour)} expected at most ${problem.hours - startHour}, to end inside the horizon ${horizon}`);
        startHour = undefined;
      }
      const gpusOk = checkNumber(allocation.gpus, { min: 0, minExclusive: true, max: job.maxGpus, note: `job ${job.id}'s maxGpus in ${requestName} is ${job.maxGpus}` }, `${at}.gpus`, violations);
      if (site === undefined || startHour === undefined || !hoursOk || !gpusOk) return;
      const run: Run & { allocation: number } = { site, startHour, hours: allocation.hours, gpus: allocation.gpus, allocation: k };
      const overlapping = (runs as Array<Run & { allocation: number }>).find((other) => other.site === site && other.startHour < startHour + run.hours && startHour < other.startHour + other.hours);
      if (overlapping) {
        violations.add(`${at}.start`, `got ${formatHour(problem, startHour)} for ${run.hours} h at ${allocation.siteId}, which overlaps ${path}.allocations[${overlapping.allocation}] at the same site; expected each hour of a site in one allocation`);
        return;
      }
      runs.push(run);
    });
    schedule[j] = runs.map(({ site, startHour, hours, gpus }) => ({ site, startHour, hours, gpus }));
  });
  const missing = problem.jobs.filter((_, j) => !seen.has(j)).map((job) => job.id);
  if (missing.length > 0) {
    violations.add('plan.jobs', `the plan has no entry for ${missing.length === 1 ? 'job' : 'jobs'} ${listIds(missing)} of ${requestName}; expected one entry per job`);
  }
  return schedule;
}

function listIds(ids: string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more`;
}
