import type { Problem } from '../problem/Problem.js';
import type { JobOutcome } from '../plan/PlanResult.js';

/**
 * The links' energy as load at the sending sites: [site][hour] MW = Σ over the jobs' transfers
 * sent from the site in the hour of GB × energyKwhPerGb / 1000 (one hour, so MWh = MW). All zeros
 * without transfers. Pure.
 */
export function transferLoadMw(problem: Problem, jobs: readonly JobOutcome[]): number[][] {
  const loadMw = problem.sites.map(() => new Array<number>(problem.hours).fill(0));
  for (const outcome of jobs) {
    for (const transfer of outcome.transfers ?? []) {
      const link = (problem.links ?? [])[transfer.link];
      for (let t = transfer.startHour; t < transfer.startHour + transfer.hours; t++) loadMw[link.fromSite][t] += (transfer.gbPerHour * link.energyKwhPerGb) / 1000;
    }
  }
  return loadMw;
}
