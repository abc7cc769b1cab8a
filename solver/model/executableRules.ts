import type { JobData, Problem } from '../problem/Problem.js';

/** How executable a job's schedule must be (README, "Executable schedules"). */
export interface ExecutableRules {
  /** gpus[j,s,t] are integers (options.integerGpus, interruptible jobs). */
  wholeGpus: boolean;
  /** At most one site per hour (integerGpus or checkpointMinutes > 0, and not splitSites). */
  oneSitePerHour: boolean;
  /** GPU-hours of work each start after the first adds: checkpointMinutes / 60 × maxGpus (0: free). */
  checkpointGpuHours: number;
}

/**
 * The executable-schedule rules that apply to `job` in `problem`. Non-interruptible jobs run one
 * block at one site at maxGpus whatever the options, so every rule is off for them. An
 * interruptible job gets whole GPUs with options.integerGpus; one site per hour with
 * integerGpus or a checkpoint cost, unless it sets splitSites; and a checkpoint cost with
 * checkpointMinutes > 0, in either mode. A request with none of these gets all rules off: the LP.
 */
export function executableRules(problem: Problem, job: JobData): ExecutableRules {
  if (!job.interruptible) return { wholeGpus: false, oneSitePerHour: false, checkpointGpuHours: 0 };
  const wholeGpus = problem.options.integerGpus === true;
  const checkpointGpuHours = ((job.checkpointMinutes ?? 0) / 60) * job.maxGpus;
  return { wholeGpus, oneSitePerHour: (wholeGpus || checkpointGpuHours > 0) && job.splitSites !== true, checkpointGpuHours };
}

/**
 * idle[j]'s upper bound: the GPU-hours a job with whole GPUs may leave undone in its last hour.
 * Every hour it runs holds at least max(1, minGpus) GPUs, so the hour keeps some work. The margin
 * (1e-4 GPU-hours) keeps the solver's feasibility tolerance (1e-6 per row, times the checkpoint's
 * GPU-hours in workDone) from passing off a whole extra GPU-hour as idle; a job whose work is
 * within 1e-4 above a whole number of GPU-hours (with its checkpoints) leaves that sliver unmet.
 */
export function maxIdleGpuHours(job: JobData): number {
  return Math.max(1, job.minGpus) - 1e-4;
}
