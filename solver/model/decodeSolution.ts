import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, Run } from '../plan/PlanResult.js';
import type { BuiltModel } from './buildModel.js';
import { blockGpus } from './jobShape.js';
import { countRunChanges } from './countRunChanges.js';
import { executableRules } from './executableRules.js';
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
 * solver's `unmet` column), less the checkpoint GPU-hours its starts cost (countRunChanges), and
 * unmet work is gpuHours minus done work. Transfers: decodeTransfers. With whole GPUs, the GPU-hours the job does not need
 * come off its last hour (see endLastHourEarly). `reason` is left empty;
 * the planner explains unmet work afterwards.
 */
export function decodeSolution(problem: Problem, built: BuiltModel, values: Float64Array): JobOutcome[] {
  return problem.jobs.map((job, j) => {
    const { shape, cells } = built.jobs[j];
    const rules = executableRules(problem, job);
    const hourly: { site: number; hour: number; gpus: number }[] = [];
    if (job.interruptible) {
      // Jobs with run[j,s,t] binaries (minGpus, executable rules) may show slivers in off hours.
      const offHour = job.minGpus > 0 || rules.wholeGpus || rules.oneSitePerHour || rules.checkpointGpuHours > 0 ? offHourTolerance : 0;
      for (const cell of cells) {
        const value = values[cell.col];
        // Integer columns are integral within HiGHS's tolerance (1e-6): whole GPUs.
        const gpus = rules.wholeGpus ? Math.round(value) : snap(value);
        if (gpus > offHour) hourly.push({ site: cell.site, hour: cell.hour, gpus });
      }
    } else {
      const chosen = cells.find((cell) => values[cell.col] > 0.5);
      if (chosen) {
        for (let k = 0; k < shape.blockHours; k++) hourly.push({ site: chosen.site, hour: chosen.hour + k, gpus: blockGpus(job, shape, k) });
      }
    }
    const changes = countRunChanges(hourly);
    const checkpointGpuHours = rules.checkpointGpuHours * Math.max(0, changes.siteStarts - 1);
    if (rules.wholeGpus) endLastHourEarly(hourly, job.gpuHours + checkpointGpuHours);
    const runs = mergeIntoRuns(hourly);
    const usedGpuHours = runs.reduce((sum, r) => sum + r.gpus * r.hours, 0);
    const doneGpuHours = usedGpuHours - checkpointGpuHours;
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
      preemptions: changes.preemptions,
      migrations: changes.migrations,
      checkpointGpuHours,
      ...(transfers.length > 0 ? { transfers } : {}),
    };
  });
}

/**
 * Whole GPUs do whole GPU-hours; the job's work need not be a whole number of them. The GPU-hours
 * beyond `neededGpuHours` (idle[j] in the model, less than the max(1, minGpus) GPUs any running
 * hour holds) come off the job's last hour: its largest cell there ends mid-hour. Never takes a
 * cell to zero (which would change the runs); round-off beyond idle[j] comes off too, so that the
 * runs' GPU-hours are exactly the work plus the checkpoints.
 */
function endLastHourEarly(hourly: { site: number; hour: number; gpus: number }[], neededGpuHours: number): void {
  if (hourly.length === 0) return;
  const excess = hourly.reduce((sum, h) => sum + h.gpus, 0) - neededGpuHours;
  if (!(excess > snapTolerance)) return;
  const lastHour = Math.max(...hourly.map((h) => h.hour));
  const last = hourly.filter((h) => h.hour === lastHour).reduce((a, b) => (b.gpus > a.gpus ? b : a));
  last.gpus -= Math.min(excess, last.gpus - snapTolerance);
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
