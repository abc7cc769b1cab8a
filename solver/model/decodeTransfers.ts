import type { Problem } from '../problem/Problem.js';
import type { Run, Transfer } from '../plan/PlanResult.js';
import type { TransferColumn } from './addTransfers.js';

/** GB below which a transfer is solver noise. */
const gbTolerance = 1e-6;

/**
 * A job's transfers as the plan reports them: only those to sites where the job runs (`runs`),
 * since data sent to a site the job never uses does the plan no good (and with no energy per GB
 * the LP is free to send it); their energy is then not in the accounts either. Hourly GB on one
 * link at a constant rate are merged into one Transfer; returned in time order, then by link.
 */
export function decodeTransfers(problem: Problem, columns: readonly TransferColumn[], runs: readonly Run[], values: Float64Array): Transfer[] {
  const used = new Set(runs.map((r) => r.site));
  const hourly = columns
    .filter((c) => used.has(c.site) && values[c.col] > gbTolerance)
    .map((c) => ({ link: c.link, hour: c.hour, gb: values[c.col] }))
    .sort((a, b) => a.link - b.link || a.hour - b.hour);
  return mergeTransfers(hourly);
}

/**
 * Merges hourly GB per link into transfers: consecutive hours on one link with the same GB (to
 * 1e-9 relative). Returned in time order, then by link.
 */
export function mergeTransfers(hourly: readonly { link: number; hour: number; gb: number }[]): Transfer[] {
  const sorted = [...hourly].sort((a, b) => a.link - b.link || a.hour - b.hour);
  const transfers: Transfer[] = [];
  for (const h of sorted) {
    const last = transfers[transfers.length - 1];
    if (last && last.link === h.link && last.startHour + last.hours === h.hour && Math.abs(last.gbPerHour - h.gb) <= 1e-9 * Math.max(1, h.gb)) {
      last.hours += 1;
    } else {
      transfers.push({ link: h.link, startHour: h.hour, hours: 1, gbPerHour: h.gb });
    }
  }
  return transfers.sort((a, b) => a.startHour - b.startHour || a.link - b.link);
}
