import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, Run } from '../plan/PlanResult.js';
import type { BuiltModel } from './buildModel.js';
import { blockGpus } from './jobShape.js';
import { decodeTransfers } from './decodeTransfers.js';

/** Values within this of an integer are snapped to it; smaller magnitudes are zero. */
const snapTolerance = 1e-7;
/**
 * A job with minGpus runs 0 or at least minGpus GPUs in an hour; HiGHS's MIP feasibility
 * tolerance (1e-6) lets a few millionths of a GPU through with the hour switched off (found by
 * fuzzing: gpuHours 16.000000953674316 left 9.5e-7 GPU-hours in an off hour). Such slivers are
 * zero; the work they carried counts as unmet, within workTolerance.
 */
const offHourTolerance = 1e-5;

/**
 * Reads a solution vector back into per-job schedules: hourly GPU-hours per site, merged into
 * runs of constant GPUs. Done work is summed from the schedule itself (not read from the
 * solver's `unmet` column), and unmet work is gpuHours minus done work. Transfers: decodeTransfers. `reason` is left empty;
 * the planner explains unmet work afterwards.
 */
export function decodeSolution(problem: Problem, built: BuiltModel, values: Float64Array): JobOutcome[] {
  return problem.jobs.map((job, j) => {
    const { shape, cells } = built.jobs[j];
    const hourly: { site: number; hour: number; gpus: number }[] = [];
    if (job.interruptible) {
      for (const cell of cells) {
        const gpus = snap(values[cell.col]);
        if (gpus > (job.minGpus > 0 ? offHourTolerance : 0)) hourly.push({ site: cell.site, hour: cell.hour, gpus });
      }
    } else {
      const chosen = cells.find((cell) => values[cell.col] > 0.5);
      if (chosen) {
        for (let k = 0; k < shape.blockHours; k++) hourly.push({ site: chosen.site, hour: chosen.hour + k, gpus: blockGpus(job, shape, k) });
      }
    }
    const runs = mergeIntoRuns(hourly);
    const doneGpuHours = runs.reduce((sum, r) => sum + r.gpus * r.hours, 0);
    const finishHour = runs.length ? Math.max(...runs.map((r) => r.startHour + r.hours)) : undefined;
    const transfers = decodeTransfers(problem, built.transfers?.[j] ?? [], runs, values);
    return {
      job: j,
      runs,
      doneGpuHours,
      unmetGpuHours: Math.max(0, job.gpuHours - doneGpuHours),
      finishHour,
      lateHours: 0,
      reason: '',
      ...(transfers.length > 0 ? { transfers } : {}),
    };
  });
}

/**
 * Merges hourly GPU-hours into runs: consecutive hours at the same site with the same GPUs.
 * Runs are ordered by start hour, then site.
 */
export function mergeIntoRuns(hourly: { site: number; hour: number; gpus: number }[]): Run[] {
  const sorted = [...hourly].sort((a, b) => a.site - b.site || a.hour - b.hour);
  const runs: Run[] = [];
  for (const h of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.site === h.site && last.startHour + last.hours === h.hour && Math.abs(last.gpus - h.gpus) <= 1e-9) {
      last.hours += 1;
    } else {
      runs.push({ site: h.site, startHour: h.hour, hours: 1, gpus: h.gpus });
    }
  }
  return runs.sort((a, b) => a.startHour - b.startHour || a.site - b.site);
}

function snap(x: number): number {
  if (Math.abs(x) < snapTolerance) return 0;
  const rounded = Math.round(x);
  return Math.abs(x - rounded) < snapTolerance ? rounded : x;
}
