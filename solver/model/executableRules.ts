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
 * The largest fraction of a GPU-hour an executable job may leave idle in its last hour (idle[j]'s
 * upper bound): just below 1, so that the hour keeps some work; a fraction it cannot express
 * (below 1e-6 of a GPU-hour) is left unmet, within workTolerance.
 */
export const maxIdleGpuHours = 1 - 1e-6;
