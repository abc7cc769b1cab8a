import { executableRules } from '../model/executableRules.js';
import type { Problem } from '../problem/Problem.js';
import type { Schedule } from '../plan/PlanResult.js';
import { formatHour } from '../problem/formatHour.js';
import type { ScheduleViolation } from './EvaluationResult.js';

/** Slack for GPU and work comparisons (as the checker's). */
const gpuTolerance = 1e-6;
/** Slack for the grid import limit, MW (as the checker's). */
const gridToleranceMw = 1e-6;

/**
 * What the accounted fixed schedule `judged` breaks under `problem` (the realised data), by the
 * rules a plan obeys (README, "The model"): per allocation, a site the job may not use, hours
 * outside its window, fewer GPUs than minGpus (interruptible jobs); per job, more GPUs than
 * maxGpus in an hour, not one block at one site at maxGpus (non-interruptible jobs, the last hour
 * possibly partial), more work than gpuHours; per site and hour, GPUs above capacity and grid
 * import above the limit (green supply short of what the plan counted on).
 * Runs of each job must be in time order, then by site. Returns the violations job by job (in
 * request order), then site by site, hour by hour. Pure.
 */
export function findScheduleViolations(problem: Problem, judged: Schedule): ScheduleViolation[] {
  const violations: ScheduleViolation[] = [];
  const gpusAt = problem.sites.map(() => new Float64Array(problem.hours));
  for (const outcome of judged.jobs) {
    const job = problem.jobs[outcome.job];
    const j = outcome.job;
    const perHour = new Float64Array(problem.hours);
    // With whole GPUs the job's last hour may end early (fewer GPU-hours than minGpus).
    const lastHour = outcome.runs.reduce((last, run) => Math.max(last, run.startHour + run.hours - 1), -1);
    const wholeGpus = executableRules(problem, job).wholeGpus;
    let done = -(outcome.checkpointGpuHours ?? 0);
    for (const run of outcome.runs) {
      const site = problem.sites[run.site];
      const what = `job ${job.id}: ${run.gpus} GPUs at ${site.id} from ${formatHour(problem, run.startHour)} for ${run.hours} h`;
      const at = { job: j, site: run.site, hour: run.startHour };
      if (!job.allowedSites.includes(run.site)) {
        const allowed = job.allowedSites.map((s) => problem.sites[s].id).join(', ');
        violations.push({ kind: 'site_not_allowed', ...at, value: run.gpus * run.hours, limit: 0, description: `${what}: the job may only use ${allowed}` });
      }
      let hoursOutside = 0;
      for (let t = run.startHour; t < run.startHour + run.hours; t++) {
        if (t < job.windowStart || t >= job.windowEnd) hoursOutside++;
        perHour[t] += run.gpus;
        gpusAt[run.site][t] += run.gpus;
      }
      if (hoursOutside > 0) {
        const window = job.windowEnd > job.windowStart ? `[${formatHour(problem, job.windowStart)}, ${formatHour(problem, job.windowEnd)})` : 'empty';
        violations.push({ kind: 'outside_window', ...at, value: hoursOutside, limit: 0, description: `${what}: ${hoursOutside} h outside the job's window ${window}` });
      }
      const partialLastHour = wholeGpus && run.hours === 1 && run.startHour === lastHour;
      if (job.interruptible && job.minGpus > 0 && run.gpus < job.minGpus - gpuTolerance && !partialLastHour) {
        violations.push({ kind: 'below_min_gpus', ...at, value: run.gpus, limit: job.minGpus, description: `${what}: below the job's minGpus ${job.minGpus}` });
      }
      done += run.gpus * run.hours;
    }
    for (let t = 0; t < problem.hours; t++) {
      if (perHour[t] > job.maxGpus + gpuTolerance) {
        violations.push({ kind: 'job_max_gpus', job: j, hour: t, value: perHour[t], limit: job.maxGpus, description: `job ${job.id}: ${perHour[t]} GPUs in ${formatHour(problem, t)}, above its maxGpus ${job.maxGpus}` });
      }
    }
    if (!job.interruptible) {
      const fault = oneBlockFault(problem, job.maxGpus, outcome.runs);
      if (fault) violations.push({ kind: 'not_one_block', job: j, value: 0, limit: 0, description: `job ${job.id} is not interruptible, but ${fault}` });
    }
    if (done > job.gpuHours * (1 + 1e-6) + gpuTolerance) {
      violations.push({ kind: 'excess_work', job: j, value: done, limit: job.gpuHours, description: `job ${job.id}: the plan does ${done} GPU-hours, more than its ${job.gpuHours}` });
    }
  }
  problem.sites.forEach((site, s) => {
    for (let t = 0; t < problem.hours; t++) {
      if (gpusAt[s][t] > site.gpuCapacity + gpuTolerance) {
        violations.push({ kind: 'site_capacity', site: s, hour: t, value: gpusAt[s][t], limit: site.gpuCapacity, description: `${site.id} ${formatHour(problem, t)}: ${gpusAt[s][t]} GPUs in use, above its capacity ${site.gpuCapacity}` });
      }
      const gridMw = judged.sites[s].gridMw[t];
      if (gridMw > site.gridImportLimitMw + gridToleranceMw) {
        violations.push({
          kind: 'grid_import_limit',
          site: s,
          hour: t,
          value: gridMw,
          limit: site.gridImportLimitMw,
          description: `${site.id} ${formatHour(problem, t)}: grid import ${round(gridMw)} MW, above its limit ${site.gridImportLimitMw} MW (green supply ${round(site.greenSupplyMw[t])} MW for a facility load of ${round(judged.sites[s].facilityMw[t])} MW)`,
        });
      }
    }
  });
  return violations;
}

/** Why `runs` are not one block at one site at maxGpus, the last hour possibly partial; '' when they are. */
function oneBlockFault(problem: Problem, maxGpus: number, runs: Schedule['jobs'][number]['runs']): string {
  if (runs.length === 0) return '';
  if (runs.some((r) => r.site !== runs[0].site)) return 'it runs at more than one site';
  for (let i = 1; i < runs.length; i++) {
    const end = runs[i - 1].startHour + runs[i - 1].hours;
    if (runs[i].startHour !== end) return `it pauses or overlaps between ${formatHour(problem, end)} and ${formatHour(problem, runs[i].startHour)}`;
  }
  const hourly = runs.flatMap((r) => new Array<number>(r.hours).fill(r.gpus));
  return hourly.slice(0, -1).every((g) => Math.abs(g - maxGpus) <= gpuTolerance) ? '' : `it runs below its maxGpus ${maxGpus} before its last hour`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
