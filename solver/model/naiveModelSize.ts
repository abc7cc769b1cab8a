import type { Problem } from '../problem/Problem.js';
import type { ModelStage } from './buildModel.js';
import type { ModelSize } from './LinearModel.js';
import { jobShape } from './jobShape.js';
import { executableRules } from './executableRules.js';

/**
 * The size of the naive model, `buildModel(problem, stage, { reductions: false })`, counted
 * without building it: the "before reductions" figure. The "after" figure is
 * `modelSize(buildModel(problem, stage).model)` (the reduced model has to be built to be counted).
 *
 * Contract:
 * - Returns exactly `modelSize(buildModel(problem, stage, { reductions: false }).model)`
 *   (variables, constraints, integer variables, non-zeros; tested on random instances) for a
 *   problem without links and job data. The transfer families of jobs with data (addTransfers:
 *   per remote site and hour a transfer and a ready column, with their rows, and linkCapacity per
 *   link-hour) are not counted: for such a problem this is a lower bound (maxTransferSize bounds
 *   what they add; the server's size limit, planModelSize, counts both).
 * - Only `stage.kind` matters: 'lexicographic' adds the unmetTotal row. Default: 'weighted'.
 * - Pure, allocates nothing per cell: O(jobs × allowed sites + sites) time.
 *
 * Counts, with A_j = allowed sites, h_j = window hours, D_j = block hours, S sites, H hours:
 *   interruptible j: h_j·|A_j| gpus cells, one jobCap row per window hour, and for minGpus > 0 a
 *     run binary and runMin/runMax rows per cell; with the executable rules (executableRules) also
 *     run/runMax where one site per hour applies, a oneSite row per hour, idle[j], and for a
 *     checkpoint begin[j,s,t] with its three rows, ran[j] and its two rows;
 *   non-interruptible j: (h_j - D_j + 1)·|A_j| start binaries (when the block fits), each in D_j
 *     siteCapacity and D_j powerBalance rows;
 *   every job: unmet and workDone; every site-hour: grid, siteCapacity and powerBalance;
 *   with K forecast scenarios: grid and powerBalance (and the job cells' entries in it) K times;
 *   sites with storage: per scenario and hour charge, discharge, soc, stateOfCharge and noExport
 *     (which holds the job cells too); the worst-case or CVaR rows over the scenarios.
 */
export function naiveModelSize(problem: Problem, stage?: ModelStage): ModelSize {
  let variables = 0;
  let constraints = 0;
  let integerVariables = 0;
  let nonzeros = 0;
  for (const job of problem.jobs) {
    // unmet[j] and workDone[j] (its unmet entry).
    variables += 1;
    constraints += 1;
    nonzeros += 1;
    const windowHours = Math.max(0, job.windowEnd - job.windowStart);
    const sites = job.allowedSites.length;
    if (job.interruptible) {
      const cells = windowHours * sites;
      variables += cells;
      constraints += windowHours; // jobCap[j,t]
      // workDone + jobCap + siteCapacity + powerBalance: one entry each per cell.
      nonzeros += 4 * cells;
      const rules = executableRules(problem, job);
      const checkpoint = rules.checkpointGpuHours > 0;
      const oneSite = rules.oneSitePerHour && sites >= 2;
      if (rules.wholeGpus) integerVariables += cells;
      if (job.minGpus > 0 || checkpoint || oneSite) {
        const runMin = job.minGpus > 0 || checkpoint;
        variables += cells;
        integerVariables += cells;
        constraints += (runMin ? 2 : 1) * cells; // runMax, runMin
        nonzeros += (runMin ? 4 : 2) * cells;
      }
      if (oneSite) {
        constraints += windowHours; // oneSite[j,t]
        nonzeros += cells;
      }
      if (rules.wholeGpus && cells > 0) {
        variables += 1; // idle[j], in workDone
        nonzeros += 1;
      }
      if (checkpoint && cells > 0) {
        const begins = sites * (windowHours - 1);
        variables += begins + 1; // begin[j,s,t], ran[j]
        integerVariables += 1;
        constraints += 3 * begins + 2; // beginFrom, beginOnly, beginAfterPause; ranIfRun, ranIfBegun
        nonzeros += 7 * begins + (cells + 1) + (1 + cells);
        nonzeros += cells + 1; // begin terms (the first hour's are run) and ran in workDone
      }
    } else {
      const blockHours = jobShape(problem, job).blockHours;
      const cells = Math.max(0, windowHours - blockHours + 1) * sites;
      variables += cells;
      integerVariables += cells;
      // workDone, then siteCapacity and powerBalance in each hour of the block.
      nonzeros += cells * (1 + 2 * blockHours);
    }
  }
  const siteHours = problem.sites.length * problem.hours;
  const scenarios = Math.max(1, problem.scenarios?.length ?? 0);
  // Job cells enter powerBalance (counted once above) in every scenario, and noExport at sites
  // with storage in every scenario.
  const extraEntries = jobCellEntriesPerSite(problem);
  problem.sites.forEach((site, s) => {
    nonzeros += (scenarios - 1) * extraEntries[s];
    if (site.storage) nonzeros += scenarios * extraEntries[s];
  });
  variables += scenarios * siteHours; // grid[s,t(,k)]
  constraints += siteHours + scenarios * siteHours; // siteCapacity[s,t], powerBalance[s,t(,k)]
  nonzeros += scenarios * siteHours; // grid in powerBalance
  const H = problem.hours;
  for (const site of problem.sites) {
    if (!site.storage) continue;
    variables += scenarios * 3 * H; // charge, discharge, soc
    constraints += scenarios * 2 * H; // stateOfCharge, noExport
    // stateOfCharge: soc, charge, discharge (+ soc[t-1] after the first hour); powerBalance:
    // discharge and charge; noExport: grid and discharge (+ charge when it may come from the grid).
    nonzeros += scenarios * ((4 * H - 1) + 2 * H + (site.storage.chargeFromGrid ? 3 : 2) * H);
  }
  const risk = problem.objective.risk?.kind;
  if ((problem.scenarios?.length ?? 0) > 0 && stage?.kind !== 'minUnmet' && (risk === 'worst' || risk === 'cvar')) {
    // worstCost, or eta and excess[k]; one row per scenario over its priced grid columns.
    variables += risk === 'worst' ? 1 : 1 + scenarios;
    constraints += scenarios;
    nonzeros += pricedGridColumns(problem) + scenarios * (risk === 'worst' ? 1 : 2);
  }
  if (stage?.kind === 'lexicographic') {
    constraints += 1;
    nonzeros += problem.jobs.length;
  }
  return { variables, constraints, integerVariables, nonzeros };
}

/** Per site: the entries job cells put in one powerBalance row family (interruptible cells, and each block start once per block hour). */
function jobCellEntriesPerSite(problem: Problem): number[] {
  const entries = problem.sites.map(() => 0);
  for (const job of problem.jobs) {
    const windowHours = Math.max(0, job.windowEnd - job.windowStart);
    if (job.interruptible) {
      for (const s of job.allowedSites) entries[s] += windowHours;
    } else {
      const blockHours = jobShape(problem, job).blockHours;
      const starts = Math.max(0, windowHours - blockHours + 1);
      for (const s of job.allowedSites) entries[s] += starts * blockHours;
    }
  }
  return entries;
}

/** Σ over scenarios of the site-hours whose rate w_k is not 0: the grid columns in the risk rows. */
function pricedGridColumns(problem: Problem): number {
  const { carbonWeight, costWeight } = problem.objective;
  let count = 0;
  for (const scenario of problem.scenarios ?? []) {
    problem.sites.forEach((site, s) => {
      for (let t = 0; t < problem.hours; t++) {
        if (carbonWeight * scenario.carbonIntensityGPerKwh[s][t] + costWeight * site.pricePerMwh[t] !== 0) count++;
      }
    });
  }
  return count;
}
