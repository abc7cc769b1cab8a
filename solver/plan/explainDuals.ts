import type { Problem } from '../problem/Problem.js';
import type { BuiltModel } from '../model/buildModel.js';
import type { SolveOutcome } from '../solve/SolveOutcome.js';
import type { Explanation, JobDeadlineValue, SiteHourValue } from './Explanation.js';
import type { JobOutcome } from './PlanResult.js';
import { blockGpus, jobShape, workTolerance } from '../model/jobShape.js';

/** Values below this (in objective units) count as 0: HiGHS's dual feasibility tolerance. */
const dualTolerance = 1e-7;

/**
 * The unit values are reported in, and the factor that turns objective units into it: kg CO2
 * (objective / carbonWeight) when costWeight is 0, else the objective's own units.
 */
export function explanationUnit(problem: Problem): { valueUnit: string; perObjectiveUnit: number } {
  const { carbonWeight, costWeight } = problem.objective;
  if (costWeight === 0 && carbonWeight > 0) return { valueUnit: 'kg CO2', perObjectiveUnit: 1 / carbonWeight };
  return { valueUnit: `objective units (${carbonWeight} x kg CO2 + ${costWeight} x cost)`, perObjectiveUnit: 1 };
}

/**
 * An Explanation without values, saying why (`basis`): jslp, no optimal final solve, a final
 * stage that is not the plan's objective.
 */
export function unavailableExplanation(problem: Problem, basis: string): Explanation {
  return { available: false, valueUnit: explanationUnit(problem).valueUnit, basis, bindingHours: [], jobs: [] };
}

/**
 * Explains the final solve from its duals (see the README, "Explanations from duals"):
 * - per site-hour with job cells, the value of one more GPU-hour of capacity: -rowDual of
 *   siteCapacity[s,t] (0 where R4 left the row out) plus -colDual of every gpus cell whose bound
 *   R6 set to the capacity (C_s < G_j), as one more GPU raises those bounds too (not counted: the
 *   extra work a job with structural unmet work, R2, could then do); per site-hour with a powerBalance row, the value of one more MWh of green
 *   supply, rowDual >= 0 (g enters that row's lower bound u·B - g with coefficient -1); the
 *   site-hours where either is > 0 are the binding hours;
 * - per job, the value of one more hour of window after windowEnd (hour T), at the current prices:
 *   a GPU-hour at (s,t) is priced by the site rows' duals, -y(siteCapacity[s,t]) +
 *   u_s·p_j·y(powerBalance[s,t]) (where R5 left powerBalance out, its dual is implied: the rate
 *   w[s,T] when base load needs the grid, else 0). An interruptible job moves its dearest
 *   GPU-hours into hour T, up to maxGpus and the site's room, while that saves; the first one's
 *   saving (valuePerGpuHour) is its dearest GPU-hour's price less the new hour's (minus the reduced
 *   cost of the new column gpus[j,s,T] when that cell is basic), and the whole is exact to first order. A non-interruptible job compares
 *   its current block with a block starting one hour later. Best site; 0, with a note, when the
 *   window already ends at the horizon's end or the job is not scheduled;
 * - per job with unmet work, what one more GPU-hour done is worth: the dual of workDone[j] (for
 *   a block job, the unmet column's cost less the unmetTotal row's dual). In stage 'weighted'
 *   this includes the unmet-work penalty (unmet work left there is work the window cannot hold).
 *
 * `outcome` must carry rowDuals and colDuals of `built.model` (else the result is unavailable);
 * `jobs` is the decoded schedule of that solve. Values are in explanationUnit(problem).
 */
export function explainDuals(problem: Problem, built: BuiltModel, outcome: SolveOutcome, jobs: JobOutcome[]): Explanation {
  const { rowDuals } = outcome;
  if (!rowDuals || built.stage.kind === 'minUnmet') return unavailableExplanation(problem, 'no duals: the final solve did not end optimal with duals');
  const { valueUnit, perObjectiveUnit } = explanationUnit(problem);
  const rows = built.rows;
  const stage = built.stage;
  const dual = (row: number): number => (row >= 0 ? rowDuals[row] : 0);
  const rate = (s: number, t: number): number => {
    const site = problem.sites[s];
    return problem.objective.carbonWeight * site.carbonIntensityGPerKwh[t] + problem.objective.costWeight * site.pricePerMwh[t];
  };
  /** y of powerBalance[s,t]: the row's dual, or the implied one where R5 left the row out. */
  const powerDual = (s: number, t: number): number => {
    const row = rows.powerBalance[s][t];
    if (row >= 0) return rowDuals[row];
    const site = problem.sites[s];
    return site.pue * site.baseLoadMw[t] - site.greenSupplyMw[t] >= 0 ? rate(s, t) : 0;
  };

  // R6 ties a cell's bound to the capacity where C_s < G_j: one more GPU raises that bound too,
  // which is worth -(its reduced cost). Where R4 left the row out, this is the whole value.
  const { colDuals } = outcome;
  const boundValue = problem.sites.map(() => new Float64Array(problem.hours));
  problem.jobs.forEach((job, j) => {
    if (!job.interruptible || !colDuals) return;
    for (const cell of built.jobs[j].cells) {
      const capacity = problem.sites[cell.site].gpuCapacity;
      if (capacity < job.maxGpus && built.model.colUpper[cell.col] === capacity) boundValue[cell.site][cell.hour] += Math.max(0, -colDuals[cell.col]);
    }
  });

  const bindingHours: SiteHourValue[] = [];
  problem.sites.forEach((_site, s) => {
    for (let t = 0; t < problem.hours; t++) {
      const capacityRow = rows.siteCapacity[s][t];
      const powerRow = rows.powerBalance[s][t];
      if (capacityRow < 0 && powerRow < 0) continue;
      const gpuHourValue = clean(-dual(capacityRow) + boundValue[s][t]);
      const greenMwhValue = clean(dual(powerRow));
      if (gpuHourValue > 0 || greenMwhValue > 0) {
        bindingHours.push({ site: s, hour: t, gpuHourValue: gpuHourValue * perObjectiveUnit, greenMwhValue: greenMwhValue * perObjectiveUnit });
      }
    }
  });
  bindingHours.sort((a, b) => b.gpuHourValue - a.gpuHourValue || b.greenMwhValue - a.greenMwhValue || a.site - b.site || a.hour - b.hour);

  const gpusAt = problem.sites.map(() => new Float64Array(problem.hours));
  for (const outcome of jobs) for (const run of outcome.runs) for (let t = run.startHour; t < run.startHour + run.hours; t++) gpusAt[run.site][t] += run.gpus;

  /** Σ over a cell's site rows of coefficient × dual, per GPU-hour at (s,t): the cell's price without workDone. */
  const sitePricePerGpuHour = (s: number, t: number, powerMwPerGpu: number): number =>
    -dual(rows.siteCapacity[s][t]) + problem.sites[s].pue * powerMwPerGpu * powerDual(s, t);

  const deadlineValues: JobDeadlineValue[] = problem.jobs.map((job, j) => {
    const shape = jobShape(problem, job);
    const outcomeOfJob = jobs[j];
    const unmet = outcomeOfJob ? outcomeOfJob.unmetGpuHours > workTolerance * Math.max(1, job.gpuHours) : false;
    // What one more GPU-hour done is worth: workDone's dual. In the LP with a block job's start
    // fixed it is not unique; the unmet column's own price (its cost less the unmetTotal cap's
    // dual) is the value it would have if unmet were free to move.
    const unmetCol = built.jobs[j].unmetCol;
    const workValue = job.interruptible ? dual(rows.workDone[j]) : built.model.colCost[unmetCol] - dual(rows.unmetTotal);
    const workValuePerGpuHour = unmet ? Math.max(0, clean(workValue)) * perObjectiveUnit : 0;
    const base = { job: j, site: -1, valuePerGpuHour: 0, gpus: 0, workValuePerGpuHour };
    const T = job.windowEnd;
    if (T >= problem.hours) return { ...base, deadlineValue: 0, note: 'the window ends at the horizon end: there is no forecast for a later hour' };
    if (T < job.windowStart) return { ...base, deadlineValue: 0, note: 'the deadline is before the release: one more hour still leaves no window' };
    if (shape.usableSites.length === 0) return { ...base, deadlineValue: 0, note: 'no allowed site has room for the job' };
    const powerMwPerGpu = job.gpuPowerKw / 1000;

    if (job.interruptible) {
      // The job's GPU-hours now, most expensive first, priced at the site rows' duals: moving
      // them into the new hour is its own best move at the current prices.
      const held: { price: number; gpuHours: number }[] = [];
      for (const run of outcomeOfJob?.runs ?? []) {
        for (let t = run.startHour; t < run.startHour + run.hours; t++) held.push({ price: sitePricePerGpuHour(run.site, t, powerMwPerGpu), gpuHours: run.gpus });
      }
      held.sort((a, b) => b.price - a.price);
      let best = { value: 0, site: -1, perGpuHour: 0, gpus: 0 };
      for (const s of shape.usableSites) {
        const capacity = problem.sites[s].gpuCapacity;
        // Without a capacity row the hour's capacity is not priced: only the free GPUs count.
        const room = Math.min(job.maxGpus, rows.siteCapacity[s][T] >= 0 ? capacity : Math.max(0, capacity - gpusAt[s][T]));
        const newPrice = sitePricePerGpuHour(s, T, powerMwPerGpu);
        let value = 0;
        let moved = 0;
        for (const h of held) {
          if (moved >= room || clean(h.price - newPrice) <= 0) break;
          const amount = Math.min(h.gpuHours, room - moved);
          value += amount * (h.price - newPrice);
          moved += amount;
        }
        if (clean(value) > best.value) best = { value, site: s, perGpuHour: held[0].price - newPrice, gpus: moved };
      }
      const unmetNote = unmet ? `; it could also do up to ${Math.min(job.maxGpus, outcomeOfJob!.unmetGpuHours)} of its unmet GPU-hours there (see the work value)` : '';
      const note =
        best.site < 0
          ? `one more hour would not lower the objective: no GPU-hour there is cheaper than the job's dearest now${unmetNote}`
          : `its dearest GPU-hours moved into the new hour at the current prices (duals): the first saves ${round(best.perGpuHour * perObjectiveUnit)}, exact for small moves${unmetNote}`;
      return { ...base, deadlineValue: best.value * perObjectiveUnit, site: best.site, valuePerGpuHour: best.perGpuHour * perObjectiveUnit, gpus: best.gpus, note };
    }

    // A block job: a start one hour later, so that the block ends in hour T.
    const laterStart = T + 1 - shape.blockHours;
    if (laterStart < job.windowStart) return { ...base, deadlineValue: 0, note: `its block of ${shape.blockHours} h still would not fit the window` };
    const blockPrice = (s: number, t0: number): number => {
      let price = 0;
      for (let k = 0; k < shape.blockHours; k++) price += blockGpus(job, shape, k) * sitePricePerGpuHour(s, t0 + k, powerMwPerGpu);
      return price;
    };
    const current = outcomeOfJob?.runs[0];
    if (!current) return { ...base, deadlineValue: 0, note: `not scheduled: one more hour would let its block start at hour ${laterStart}; see the work value` };
    const currentPrice = blockPrice(current.site, current.startHour);
    let best = { value: 0, site: -1 };
    for (const s of shape.usableSites) {
      const value = clean(currentPrice - blockPrice(s, laterStart));
      if (value > best.value) best = { value, site: s };
    }
    const basis = outcome.dualsFrom === 'lp_with_integers_fixed' ? 'in the LP with the integer solution fixed' : 'in the LP';
    const note =
      best.site < 0
        ? `a block starting one hour later (hour ${laterStart}) would not lower the objective`
        : `its block priced at the site rows' duals ${basis}: now, against starting at hour ${laterStart}`;
    return { ...base, deadlineValue: best.value * perObjectiveUnit, site: best.site, gpus: best.site < 0 ? 0 : job.maxGpus, note };
  });

  if (stage.kind === 'weighted') {
    const penalty = round(stage.unmetPenalty * perObjectiveUnit);
    for (const v of deadlineValues) if (v.workValuePerGpuHour > 0) v.note += ` (the work value includes the unmet-work penalty of ${penalty} per GPU-hour)`;
  }
  const stageWords = stage.kind === 'weighted' ? "final stage 'weighted'" : "final stage 'lexicographic': unmet work capped at its minimum";
  const basis =
    outcome.dualsFrom === 'lp_with_integers_fixed'
      ? `duals of the LP with the integer solution fixed (${stageWords}); first-order, one of possibly several dual solutions`
      : `duals of the LP (${stageWords}); first-order, one of possibly several dual solutions`;
  return { available: true, valueUnit, basis, bindingHours, jobs: deadlineValues };
}

/** x to 4 significant digits, for notes. */
function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** x, with values within the dual tolerance of 0 (either sign) made 0. */
function clean(x: number): number {
  return Math.abs(x) <= dualTolerance ? 0 : x;
}
