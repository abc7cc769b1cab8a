import type { Problem } from '../problem/Problem.js';
import { dataLink } from './dataLink.js';

/**
 * An upper bound on the columns and rows that addTransfers adds to the default model for links and
 * job data (see "Links and data" in buildModel's maths), which the naive model (naiveModelSize)
 * does not count. Per job with data and per allowed site s other than its data site that a link
 * from the data site reaches, with window [a, b) of h = b - a hours: at most b transfer columns
 * (one per hour before the job's last cell there), at most h ready gates (interruptible) and one
 * dataSent row, at most h dataArrived rows (one per gate or block start), and for interruptible
 * jobs at most h readyOrder and h readyGpus rows; plus at most one linkCapacity row per link and
 * hour. Pure; O(jobs × allowed sites + links).
 */
export function maxTransferSize(problem: Problem): { variables: number; constraints: number } {
  let variables = 0;
  let constraints = 0;
  for (const job of problem.jobs) {
    const data = job.data;
    if (!data || data.datasetGb <= 0) continue;
    const windowHours = Math.max(0, job.windowEnd - job.windowStart);
    if (windowHours === 0) continue;
    for (const s of job.allowedSites) {
      if (s === data.dataSite || dataLink(problem, data.dataSite, s) < 0) continue;
      variables += Math.max(0, job.windowEnd) + (job.interruptible ? windowHours : 0);
      constraints += 1 + windowHours + (job.interruptible ? 2 * windowHours : 0);
    }
  }
  constraints += (problem.links ?? []).length * problem.hours;
  return { variables, constraints };
}
