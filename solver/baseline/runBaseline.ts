import type { Problem } from '../problem/Problem.js';
import type { JobOutcome } from '../plan/PlanResult.js';
import { formatHour } from '../problem/formatHour.js';
import { blockGpus, jobShape, workTolerance } from '../model/jobShape.js';

/**
 * The carbon-unaware baseline (README, "Baseline"), first-come first-served:
 * - jobs are taken in release order, ties by id;
 * - each runs at its home site at maxGpus, as one block of ceil(gpuHours / maxGpus) hours (the
 *   last hour partly), starting in the first hour at or after its release (or the horizon start)
 *   in which the block finds the GPUs free and the grid import limit respected in every hour;
 * - it keeps running until its work is done, deadline or not. Work that would fall after the
 *   horizon end is reported as unmet; finishing after the deadline is reported as lateHours.
 * A job whose maxGpus exceeds its home site's capacity, or that finds no free block, does no work.
 * Pure and deterministic. Returns outcomes in request order.
 */
export function runBaseline(problem: Problem): JobOutcome[] {
  const usedGpus = problem.sites.map(() => new Float64Array(problem.hours));
  const loadMw = problem.sites.map(() => new Float64Array(problem.hours));
  const order = problem.jobs.map((_, j) => j).sort((a, b) => {
    const ja = problem.jobs[a];
    const jb = problem.jobs[b];
    return ja.releaseHour - jb.releaseHour || (ja.id < jb.id ? -1 : ja.id > jb.id ? 1 : 0);
  });
  const outcomes: JobOutcome[] = new Array(problem.jobs.length);

  for (const j of order) {
    const job = problem.jobs[j];
    const s = job.homeSite;
    const site = problem.sites[s];
    const shape = jobShape(problem, job);
    const powerMw = job.gpuPowerKw / 1000;
    const fits = (t0: number): boolean => {
      for (let k = 0; k < shape.blockHours && t0 + k < problem.hours; k++) {
        const t = t0 + k;
        const q = blockGpus(job, shape, k);
        if (usedGpus[s][t] + q > site.gpuCapacity + workTolerance) return false;
        const gridMw = site.pue * (loadMw[s][t] + powerMw * q + site.baseLoadMw[t]) - site.greenSupplyMw[t];
        if (gridMw > site.gridImportLimitMw + 1e-9) return false;
      }
      return true;
    };

    const earliest = Math.min(problem.hours, Math.max(0, Math.ceil(job.releaseHour - 1e-9)));
    let start = -1;
    if (job.maxGpus <= site.gpuCapacity) {
      for (let t0 = earliest; t0 < problem.hours; t0++) {
        if (fits(t0)) {
          start = t0;
          break;
        }
      }
    }
    if (start < 0) {
      const reason = job.maxGpus > site.gpuCapacity
        ? `baseline: maxGpus ${job.maxGpus} exceeds home site ${site.id} capacity ${site.gpuCapacity}`
        : `baseline: home site ${site.id} never had ${job.maxGpus} GPUs free for the block between release and the horizon end`;
      outcomes[j] = { job: j, runs: [], doneGpuHours: 0, unmetGpuHours: job.gpuHours, lateHours: 0, reason, preemptions: 0, migrations: 0, checkpointGpuHours: 0 };
      continue;
    }

    const runs: JobOutcome['runs'] = [];
    let done = 0;
    for (let k = 0; k < shape.blockHours && start + k < problem.hours; k++) {
      const t = start + k;
      const q = blockGpus(job, shape, k);
      usedGpus[s][t] += q;
      loadMw[s][t] += powerMw * q;
      done += q;
      const last = runs[runs.length - 1];
      if (last && last.gpus === q) last.hours += 1;
      else runs.push({ site: s, startHour: t, hours: 1, gpus: q });
    }
    const endHour = start + shape.blockHours;
    const lateHours = Math.max(0, endHour - job.deadlineHour);
    const unmet = Math.max(0, job.gpuHours - done);
    const reasons: string[] = [];
    if (unmet > workTolerance) reasons.push(`baseline runs past the horizon end; ${round(unmet)} GPU-hours fall outside it`);
    if (lateHours > 0) reasons.push(`baseline finishes at ${formatHour(problem, endHour)}, ${round(lateHours)} h after the deadline ${formatHour(problem, job.deadlineHour)}`);
    outcomes[j] = {
      job: j,
      runs,
      doneGpuHours: done,
      unmetGpuHours: unmet,
      finishHour: Math.min(endHour, problem.hours),
      lateHours,
      reason: reasons.join('; '),
      // One block at one site: never paused, never moved.
      preemptions: 0,
      migrations: 0,
      checkpointGpuHours: 0,
    };
  }
  return outcomes;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
