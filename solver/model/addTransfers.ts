import type { Problem } from '../problem/Problem.js';
import type { ModelBuilder } from './ModelBuilder.js';
import type { modelNames } from './modelNames.js';
import type { CellColumn } from './buildModel.js';
import { dataLink } from './dataLink.js';

/** A transfer[j,s,t] column: GB of job j's data sent to site s over `link` in hour `hour`. */
export interface TransferColumn {
  site: number;
  link: number;
  hour: number;
  col: number;
}

/** What addTransfers needs of a job's columns. */
export interface TransferJobCells {
  cells: readonly CellColumn[];
}

/** The columns and MW per column that a site-hour's powerBalance must count as transfer load. */
export interface TransferLoad {
  cols: number[];
  /** MW drawn per unit of the column (energyKwhPerGb / 1000 for a GB column). */
  mw: number[];
}

/**
 * Links and job data (see "Links and data" in buildModel's maths). For every job j with data
 * (D_j GB at site d_j) and every site s != d_j where it has cells, through the link l = d_j -> s
 * (capacity K_l GB per hour, energy e_l kWh/GB):
 *   transfer[j,s,τ] in [0, min(D_j, K_l)]   τ = 0 .. T_js - 1, T_js the last hour of a cell at s
 *   ready[j,s,p]    in {0,1}                interruptible j, per period p of P hours holding cells
 *                                           at s, named by p's first cell hour t_p
 *   readyGpus[j,s,t]:   gpus[j,s,t] - min(G_j, C_s)·ready[j,s,p(t)] <= 0
 *   dataArrived[j,s,t_p]: D_j·ready[j,s,p] - Σ_{τ<t_p} transfer[j,s,τ] <= 0
 *                       (non-interruptible j: D_j·start[j,s,t] - Σ_{τ<t} transfer <= 0 per start)
 *   readyOrder[j,s,t_p]: ready[j,s,p-1] - ready[j,s,p] <= 0  (valid: data there stays there)
 * P = 1 (exact) unless that gives more than `readyBudget` ready binaries (readyPeriodHours); a
 * coarser P asks the data to be there by the period's first cell hour, a restriction of at most
 * P - 1 hours per remote site.
 *   dataSent[j,s]:      Σ_τ transfer[j,s,τ] <= D_j
 *   linkCapacity[l,τ]:  Σ_{j,s} transfer[j,s,τ] <= K_l   (only where two or more columns share
 *                       the link-hour; one column's bound already keeps it)
 * and, when e_l > 0, e_l / 1000 · transfer[j,s,τ] MW of load at the sending site d_j in hour τ,
 * returned through `loadAt` for its powerBalance. Jobs without data, and cells at d_j itself, get
 * nothing. Cells at sites with no link from d_j must not exist (jobShape leaves them out).
 * Returns the transfer columns per job (empty for jobs without data).
 */
export function addTransfers(
  problem: Problem,
  builder: ModelBuilder,
  names: ReturnType<typeof modelNames>,
  jobs: readonly TransferJobCells[],
  loadAt: (s: number, t: number) => TransferLoad,
  readyBudget = defaultReadyBudget,
): TransferColumn[][] {
  const byLinkHour = new Map<string, number[]>();
  const period = readyPeriodHours(problem, jobs, readyBudget);
  const result = problem.jobs.map((job, j) => {
    const columns: TransferColumn[] = [];
    const data = job.data;
    if (!data || data.datasetGb <= 0) return columns;
    const D = data.datasetGb;
    const cellsBySite = new Map<number, CellColumn[]>();
    for (const cell of jobs[j].cells) {
      if (cell.site === data.dataSite) continue;
      const list = cellsBySite.get(cell.site) ?? [];
      list.push(cell);
      cellsBySite.set(cell.site, list);
    }
    for (const [s, cells] of [...cellsBySite].sort((a, b) => a[0] - b[0])) {
      const l = dataLink(problem, data.dataSite, s);
      if (l < 0) throw new Error(`addTransfers: job ${job.id} has cells at site ${problem.sites[s].id}, which its data cannot reach`);
      const link = (problem.links ?? [])[l];
      const lastHour = Math.max(...cells.map((c) => c.hour));
      const sent: number[] = [];
      for (let tau = 0; tau < lastHour; tau++) {
        const col = builder.addVariable(names.jobSiteHour('transfer', j, s, tau), 0, Math.min(D, link.capacityGbPerHour), 0);
        sent.push(col);
        columns.push({ site: s, link: l, hour: tau, col });
        const key = `${l},${tau}`;
        const shared = byLinkHour.get(key) ?? [];
        shared.push(col);
        byLinkHour.set(key, shared);
        if (link.energyKwhPerGb > 0) {
          const load = loadAt(data.dataSite, tau);
          load.cols.push(col);
          load.mw.push(link.energyKwhPerGb / 1000);
        }
      }
      if (sent.length > 0) builder.addConstraint(names.jobSite('dataSent', j, s), -Infinity, D, sent, sent.map(() => 1));
      const upper = Math.min(job.maxGpus, problem.sites[s].gpuCapacity);
      if (!job.interruptible) {
        // A block's start is binary: it is its own gate.
        for (const cell of cells) {
          const before = sent.slice(0, cell.hour);
          builder.addConstraint(names.jobSiteHour('dataArrived', j, s, cell.hour), -Infinity, 0, [cell.col, ...before], [D, ...before.map(() => -1)]);
        }
        continue;
      }
      // One ready binary per period of P hours that holds cells: the data must be there by the
      // period's first cell hour (exact when P = 1).
      let previousReady = -1;
      const byPeriod = new Map<number, CellColumn[]>();
      for (const cell of cells) {
        const k = Math.floor(cell.hour / period);
        const list = byPeriod.get(k) ?? [];
        list.push(cell);
        byPeriod.set(k, list);
      }
      for (const [, periodCells] of [...byPeriod].sort((a, b) => a[0] - b[0])) {
        const first = Math.min(...periodCells.map((c) => c.hour));
        const ready = builder.addVariable(names.jobSiteHour('ready', j, s, first), 0, 1, 0, true);
        const before = sent.slice(0, first);
        builder.addConstraint(names.jobSiteHour('dataArrived', j, s, first), -Infinity, 0, [ready, ...before], [D, ...before.map(() => -1)]);
        if (previousReady >= 0) builder.addConstraint(names.jobSiteHour('readyOrder', j, s, first), -Infinity, 0, [previousReady, ready], [1, -1]);
        previousReady = ready;
        for (const cell of periodCells) {
          builder.addConstraint(names.jobSiteHour('readyGpus', j, s, cell.hour), -Infinity, 0, [cell.col, ready], [1, -upper]);
        }
      }
    }
    return columns;
  });
  for (const [key, cols] of byLinkHour) {
    if (cols.length < 2) continue;
    const [l, tau] = key.split(',').map(Number);
    const link = (problem.links ?? [])[l];
    builder.addConstraint(names.siteSiteHour('linkCapacity', link.fromSite, link.toSite, tau), -Infinity, link.capacityGbPerHour, cols, cols.map(() => 1));
  }
  return result;
}

/**
 * How many ready binaries a model may have before they get coarser: beyond about this many
 * (interruptible jobs with data, remote site-hours), HiGHS did not close the gap on
 * china-hubs-operators within minutes (4,708 hourly binaries: 94% gap after 60 s).
 */
export const defaultReadyBudget = 120;

/**
 * The period P of the ready binaries: 1 (one per hour, exact) when the interruptible jobs' remote
 * cells span at most `budget` site-hours; otherwise the least P that brings the count of periods
 * within the budget.
 */
export function readyPeriodHours(problem: Problem, jobs: readonly TransferJobCells[], budget: number): number {
  const hoursBySite: number[][] = [];
  problem.jobs.forEach((job, j) => {
    if (!job.interruptible || !job.data || job.data.datasetGb <= 0) return;
    const bySite = new Map<number, Set<number>>();
    for (const cell of jobs[j].cells) {
      if (cell.site === job.data.dataSite) continue;
      const set = bySite.get(cell.site) ?? new Set<number>();
      set.add(cell.hour);
      bySite.set(cell.site, set);
    }
    for (const set of bySite.values()) hoursBySite.push([...set]);
  });
  const count = (period: number) => hoursBySite.reduce((sum, hours) => sum + new Set(hours.map((t) => Math.floor(t / period))).size, 0);
  let period = 1;
  while (count(period) > budget && period < problem.hours) period++;
  return period;
}
