/**
 * The cosched model, as maths (names as in the code).
 *
 * Sets: jobs j; sites s; hours t = 0..H-1. For job j: window T_j = [windowStart_j, windowEnd_j),
 * usable sites S_j (allowed, with room for the job), interruptible or not.
 * Data: gpuHours W_j, maxGpus G_j, minGpus m_j, power p_j = gpuPowerKw_j / 1000 (MW per GPU);
 * gpuCapacity C_s, pue u_s, greenSupplyMw g[s,t], carbonIntensityGPerKwh c[s,t],
 * pricePerMwh π[s,t], baseLoadMw B[s,t], gridImportLimitMw I_s;
 * weights α = carbonWeight, β = costWeight; rate w[s,t] = α·c[s,t] + β·π[s,t] >= 0.
 * A non-interruptible job runs one block of D_j = ceil(W_j / G_j) hours at G_j GPUs, doing
 * q_j(k) GPU-hours in hour k of the block: G_j, except r_j = W_j - G_j·(D_j-1) in the last.
 *
 * Executable schedules (README, "Executable schedules"; executableRules): for an interruptible j,
 * whole_j (options.integerGpus) makes gpus integer; oneSite_j (integerGpus or k_j > 0, and not
 * splitSites) allows one site per hour; k_j = checkpointMinutes_j / 60 · G_j is the work (GPU-hours)
 * each start after the first adds; lo_j = m_j if m_j > 0, else 1 if whole_j, else min(1, W_j): the
 * fewest GPU-hours in an hour the job runs (with run, runMin makes run = 1 exactly when it works).
 *
 * Variables
 *   gpus[j,s,t]   in [0, min(G_j, C_s)]   interruptible j, s in S_j, t in T_j: GPU-hours in hour t
 *                                          (integer when whole_j: whole GPUs)
 *   run[j,s,t]    in {0,1}                 interruptible j with m_j > 0, k_j > 0, or oneSite_j and
 *                                          |S_j| >= 2: the job runs at s in t
 *   begin[j,s,t]  in [0,1]                 k_j > 0, t > windowStart_j: j starts running at s in t
 *                                          (begin[j,s,windowStart_j] is run[j,s,windowStart_j] itself)
 *   ran[j]        in {0,1}                 k_j > 0: j runs at all
 *   idle[j]       in [0, max(1, m_j) - 1e-4]   whole_j: GPU-hours its whole GPUs leave undone when
 *                                          the job ends mid-hour (every running hour holds >= max(1, m_j))
 *   start[j,s,t]  in {0,1}                 non-interruptible j: its block starts at s in hour t,
 *                                          t in [windowStart_j, windowEnd_j - D_j]
 *   unmet[j]      in [W_j - maxDoable_j, W_j]   work not done (GPU-hours); the lower bound is the
 *                                          work the window can never hold (jobShape)
 *   grid[s,t]     in [0, I_s]              grid import (MW) at site-hours some job can use
 *
 * Expressions
 *   N[s,t] = Σ_j gpus[j,s,t] + Σ_j Σ_{k<D_j} q_j(k)·start[j,s,t-k]          (GPU-hours at s in t)
 *   L[s,t] = Σ_j p_j·gpus[j,s,t] + Σ_j Σ_{k<D_j} p_j·q_j(k)·start[j,s,t-k]   (job IT load, MW)
 *
 * Constraints
 *   workDone[j]:          Σ_{s,t} gpus[j,s,t] - idle[j] - k_j·(Σ_{s,t} begin[j,s,t] - ran[j]) + unmet[j] = W_j
 *                                                                            (interruptible; idle, begin, ran only where defined)
 *                         W_j·Σ_{s,t} start[j,s,t] + unmet[j] = W_j        (non-interruptible; so Σ start <= 1)
 *   jobCap[j,t]:          Σ_s gpus[j,s,t] <= G_j           (only where j can use several sites in t)
 *   runMax[j,s,t]:        gpus[j,s,t] - min(G_j, C_s)·run[j,s,t] <= 0
 *   runMin[j,s,t]:        gpus[j,s,t] - lo_j·run[j,s,t] >= 0      (m_j > 0 or k_j > 0: run = 1 iff it works)
 *   oneSite[j,t]:         Σ_s run[j,s,t] <= 1                      (oneSite_j, |S_j| >= 2)
 *   beginFrom[j,s,t]:     begin[j,s,t] - run[j,s,t] + run[j,s,t-1] >= 0
 *   beginOnly[j,s,t]:     begin[j,s,t] - run[j,s,t] <= 0
 *   beginAfterPause[j,s,t]: begin[j,s,t] + run[j,s,t-1] <= 1     (the three: begin = run_t·(1 - run_{t-1}))
 *   ranIfRun[j]:          Σ_{s,t} run[j,s,t] - |cells_j|·ran[j] <= 0
 *   ranIfBegun[j]:        ran[j] - Σ_{s,t} begin[j,s,t] <= 0       (the two: ran = 1 iff j runs)
 *   siteCapacity[s,t]:    N[s,t] <= C_s                     (only where the jobs could exceed C_s)
 *   powerBalance[s,t]:    grid[s,t] - u_s·L[s,t] >= u_s·B[s,t] - g[s,t]
 *                         with grid <= I_s this is also the grid import limit
 *
 * Objective (stage 'weighted', the first solve)
 *   min Σ_{s,t} w[s,t]·grid[s,t] + P·Σ_j unmet[j] + offset
 * where offset = Σ over site-hours without a grid column of w·max(0, u_s·B - g) (base load only),
 * so the objective equals α·emissionsKg + β·cost of the whole plan plus the penalty. With w >= 0
 * the optimum has grid = max(0, F - g) = F - min(F, g): exactly the accounting in the README.
 * If the first solve leaves work unmet, unmet work is minimised exactly (stage 'minUnmet':
 * min Σ unmet) and then the objective with the cap unmetTotal: Σ_j unmet[j] <= U* (stage 'lexicographic').
 * The idle GPU-hours are priced as if the GPUs worked the whole last hour (the model's power term
 * is p_j·gpus): the objective may overstate the plan's emissions by at most idle·u_s·p_j·w per job;
 * the accounts (accountSchedule) count the decoded GPU-hours exactly.
 *
 * Reductions (exact; `buildModel(problem, stage, { reductions: false })` builds the model without them)
 * The naive model has gpus/start cells at every allowed site A_j (every hour of T_j; every start
 * whose block fits T_j), gpus <= G_j, runMax with G_j, unmet in [0, W_j], jobCap[j,t] for every
 * interruptible job-hour, and siteCapacity[s,t], grid[s,t] and powerBalance[s,t] at every
 * site-hour, with no offset. A block needs G_j GPUs at once, so start[j,s,t] is fixed at 0 where
 * C_s < G_j (siteCapacity counts GPU-hours: it would admit a one-hour block with W_j <= C_s < G_j).
 * The default model differs from it only as follows; each change keeps the same optimum because
 * it removes or tightens only what the other constraints already force.
 *   R1 cells only at usable sites S_j ⊆ A_j (jobShape.usableSites). At s with C_s < G_j a block
 *      job's starts are fixed at 0; at s with C_s < max(1, m_j) an interruptible job's cells are
 *      forced to 0 by siteCapacity (gpus <= C_s = 0) or runMin (run = 1 needs gpus >= m_j > C_s).
 *   R2 unmet[j] >= W_j - maxDoable_j: workDone and jobCap/siteCapacity/the block length already
 *      keep the work done <= maxDoable_j (jobShape). A job with maxDoable_j = 0 gets no cells; with
 *      R1 and the window/block bounds it would have none anyway, so R2 itself changes only a bound.
 *   R3 jobCap[j,t] only where Σ_{s in S_j} min(G_j, C_s) over the hour's cells > G_j; elsewhere the
 *      column bounds imply it. This drops it for every job with a single usable site.
 *   R4 siteCapacity[s,t] only where the site-hour's bound on N (siteHour maxGpus: Σ of gpus bounds,
 *      + G_j per block job that can touch the hour, as Σ start <= 1) exceeds C_s.
 *   R5 grid[s,t] and powerBalance[s,t] only at site-hours with job cells. Elsewhere L = 0 and, as
 *      w >= 0, the optimum is grid = max(0, u_s·B - g): that constant, times w, goes into the
 *      offset. (The naive row is feasible because validation keeps u_s·B - g <= I_s.)
 *   R6 gpus[j,s,t] <= min(G_j, C_s) and runMax with min(G_j, C_s) instead of G_j: siteCapacity
 *      already implies gpus <= C_s, so this only tightens bounds (and the big-M); it is what makes
 *      skipping siteCapacity (R4) and jobCap (R3) exact.
 *   R7 no jobCap[j,t] for a job with oneSite rows: runMax and oneSite keep the hour's GPUs at
 *      max_s min(G_j, C_s) <= G_j.
 * Stage 'minUnmet' has w = 0, so R5's offset is 0 there.
 *
 * Starting point (not part of the model's maths; `{ start: false }` leaves it out)
 * A pure LP of stage 'weighted' carries LinearModel.start = greedyStart(...): every job placed
 * greedily, shortest window first, on its cheapest cells (rate × the power the remaining green
 * supply cannot cover), within jobCap, siteCapacity and the grid import limit;
 * grid = max(0, u_s·(L + B) - g). It is a
 * feasible point of the model above; HiGHS builds its first basis from it. The optimum is the same.
 */
import type { JobData, Problem } from '../problem/Problem.js';
import type { LinearModel } from './LinearModel.js';
import { ModelBuilder } from './ModelBuilder.js';
import { blockGpus, jobShape, type JobShape } from './jobShape.js';
import { greedyStart } from './greedyStart.js';
import { modelNames } from './modelNames.js';
import { executableRules, maxIdleGpuHours } from './executableRules.js';

/** Which objective a model is built for (see the maths above). */
export type ModelStage =
  | { kind: 'weighted'; unmetPenalty: number }
  | { kind: 'minUnmet' }
  | { kind: 'lexicographic'; unmetCap: number };

/** A column of a job at one site and hour: gpus[j,s,t] or start[j,s,t]. */
export interface CellColumn {
  site: number;
  hour: number;
  col: number;
}

/** Where each job's columns are, for decoding a solution. */
export interface JobColumns {
  shape: JobShape;
  /** gpus[j,s,t] (interruptible) or start[j,s,t] (non-interruptible) columns. */
  cells: CellColumn[];
  unmetCol: number;
  /** true when the job has oneSite[j,t] rows (so jobCap is implied; R7). */
  oneSiteRows: boolean;
}

/** A model and the index needed to read its solution back. */
export interface BuiltModel {
  model: LinearModel;
  jobs: JobColumns[];
  stage: ModelStage;
}

/** How to build the model. */
export interface BuildModelOptions {
  /**
   * true (the default): apply the exact reductions R1..R6 (see the maths above); this is the model
   * the planner solves. false: the naive textbook model, for measuring what the reductions save
   * and for testing that they are exact. Both have the same optimal objective.
   */
  reductions?: boolean;
  /**
   * true (the default): give a pure LP of stage 'weighted' a starting point (LinearModel.start,
   * from greedyStart) that solvers may start from. false: no start, for measuring what it saves.
   * Either way the optimum is the same.
   */
  start?: boolean;
}

/**
 * Builds the LP/MILP for `problem` (pure; no I/O). Deterministic: the same problem gives the same
 * model with the same names in the same order. With reductions (the default), jobs whose windows
 * hold no usable hour get only an `unmet` column fixed at their work. Either model decodes with
 * decodeSolution: `jobs[j].cells` lists every gpus/start column of job j.
 */
export function buildModel(
  problem: Problem,
  stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(problem) },
  options: BuildModelOptions = {},
): BuiltModel {
  const reduce = options.reductions ?? true;
  const builder = new ModelBuilder();
  const names = modelNames(problem);
  const { carbonWeight, costWeight } = problem.objective;
  const pricedStage = stage.kind !== 'minUnmet';
  const rate = (s: number, t: number): number => {
    const site = problem.sites[s];
    return pricedStage ? carbonWeight * site.carbonIntensityGPerKwh[t] + costWeight * site.pricePerMwh[t] : 0;
  };

  // Per site-hour: the columns and coefficients of N[s,t] and L[s,t], and an upper bound on N.
  const siteHour = problem.sites.map(() => new Map<number, SiteHourTerms>());
  const termsAt = (s: number, t: number): SiteHourTerms => {
    let terms = siteHour[s].get(t);
    if (!terms) {
      terms = { cols: [], gpus: [], powerMw: [], maxGpus: 0 };
      siteHour[s].set(t, terms);
    }
    return terms;
  };

  const jobs: JobColumns[] = problem.jobs.map((job, j) => {
    const shape = jobShape(problem, job);
    const unmetCost = stage.kind === 'weighted' ? stage.unmetPenalty : stage.kind === 'minUnmet' ? 1 : 0;
    // R2: the work the window can never hold is unmet in any case.
    const unmetLower = reduce ? Math.max(0, job.gpuHours - shape.maxDoableGpuHours) : 0;
    const unmetCol = builder.addVariable(names.job('unmet', j), unmetLower, job.gpuHours, unmetCost);
    // R1: only sites with room for the job.
    const sites = reduce ? shape.usableSites : job.allowedSites;
    const hasCells = !reduce || shape.maxDoableGpuHours > 0;
    const columns: InterruptibleColumns = hasCells
      ? job.interruptible
        ? addInterruptibleJob(problem, builder, names, j, job, sites, reduce, termsAt)
        : { cells: addBlockJob(problem, builder, names, j, job, shape, sites, termsAt), extraCols: [], extraCoefs: [], oneSiteRows: false }
      : { cells: [], extraCols: [], extraCoefs: [], oneSiteRows: false };
    const { cells } = columns;
    const workCols = cells.map((c) => c.col);
    const workCoef = job.interruptible ? cells.map(() => 1) : cells.map(() => job.gpuHours);
    builder.addConstraint(
      names.job('workDone', j),
      job.gpuHours,
      job.gpuHours,
      [...workCols, unmetCol, ...columns.extraCols],
      [...workCoef, 1, ...columns.extraCoefs],
    );
    return { shape, cells, unmetCol, oneSiteRows: columns.oneSiteRows };
  });

  addJobCap(problem, builder, names, jobs, reduce);
  const gridCols = addSiteRows(problem, builder, names, siteHour, rate, reduce);

  if (stage.kind === 'lexicographic') {
    builder.addConstraint('unmetTotal', -Infinity, stage.unmetCap, jobs.map((j) => j.unmetCol), jobs.map(() => 1));
  }
  const model = builder.build();
  // Only the first stage: the later ones cap or price unmet work, which the greedy does not know.
  if (stage.kind === 'weighted' && (options.start ?? true)) {
    const start = greedyStart(problem, jobs, gridCols, model);
    if (start) model.start = start;
  }
  return { model, jobs, stage };
}

/**
 * The penalty per unmet GPU-hour in the first solve: ten times the largest objective rate any
 * GPU-hour can cause, so that doing work is always preferred when it only displaces nothing.
 * Exactness does not depend on it: if work stays unmet, the planner minimises unmet work exactly.
 */
export function defaultUnmetPenalty(problem: Problem): number {
  let maxRate = 0;
  for (const job of problem.jobs) {
    for (const s of job.allowedSites) {
      const site = problem.sites[s];
      for (let t = 0; t < problem.hours; t++) {
        const w = problem.objective.carbonWeight * site.carbonIntensityGPerKwh[t] + problem.objective.costWeight * site.pricePerMwh[t];
        maxRate = Math.max(maxRate, (site.pue * job.gpuPowerKw * w) / 1000);
      }
    }
  }
  return 10 * maxRate + 1;
}

interface SiteHourTerms {
  cols: number[];
  gpus: number[];
  powerMw: number[];
  /** Upper bound on N[s,t] from the columns' own bounds. */
  maxGpus: number;
}

type Names = ReturnType<typeof modelNames>;

/** An interruptible job's columns: its cells and the extra terms of its workDone row. */
interface InterruptibleColumns {
  cells: CellColumn[];
  /** Columns and coefficients of workDone[j] beyond the cells and unmet (idle, begin, ran). */
  extraCols: number[];
  extraCoefs: number[];
  /** true when every hour with 2+ cells has a oneSite row (which implies jobCap; R7). */
  oneSiteRows: boolean;
}

function addInterruptibleJob(
  problem: Problem,
  builder: ModelBuilder,
  names: Names,
  j: number,
  job: JobData,
  sites: readonly number[],
  reduce: boolean,
  termsAt: (s: number, t: number) => SiteHourTerms,
): InterruptibleColumns {
  const cells: CellColumn[] = [];
  const extraCols: number[] = [];
  const extraCoefs: number[] = [];
  const powerMw = job.gpuPowerKw / 1000;
  const rules = executableRules(problem, job);
  const checkpoint = rules.checkpointGpuHours > 0;
  const oneSite = rules.oneSitePerHour && sites.length >= 2;
  // run[j,s,t] where something needs it: minGpus, the checkpoint's starts, or one site per hour.
  const needRun = job.minGpus > 0 || checkpoint || oneSite;
  // With run, a running cell has at least minGpus, or (checkpoint) one GPU: so run = 1 exactly when it works.
  const runLower = job.minGpus > 0 ? job.minGpus : checkpoint ? (rules.wholeGpus ? 1 : Math.min(1, job.gpuHours)) : 0;
  const runCols = sites.map(() => [] as number[]);
  for (let t = job.windowStart; t < job.windowEnd; t++) {
    const runsInHour: number[] = [];
    sites.forEach((s, k) => {
      // R6: no cell can hold more than its site has.
      const upper = reduce ? Math.min(job.maxGpus, problem.sites[s].gpuCapacity) : job.maxGpus;
      const col = builder.addVariable(names.jobSiteHour('gpus', j, s, t), 0, upper, 0, rules.wholeGpus);
      cells.push({ site: s, hour: t, col });
      const terms = termsAt(s, t);
      terms.cols.push(col);
      terms.gpus.push(1);
      terms.powerMw.push(powerMw);
      terms.maxGpus += upper;
      if (needRun) {
        const run = builder.addVariable(names.jobSiteHour('run', j, s, t), 0, 1, 0, true);
        builder.addConstraint(names.jobSiteHour('runMax', j, s, t), -Infinity, 0, [col, run], [1, -upper]);
        if (runLower > 0) builder.addConstraint(names.jobSiteHour('runMin', j, s, t), 0, Infinity, [col, run], [1, -runLower]);
        runsInHour.push(run);
        runCols[k].push(run);
      }
    });
    if (oneSite) builder.addConstraint(names.jobHour('oneSite', j, t), -Infinity, 1, runsInHour, runsInHour.map(() => 1));
  }
  if (rules.wholeGpus && cells.length > 0) {
    // The last hour may end mid-hour: the whole GPUs do up to maxIdleGpuHours less than they could.
    extraCols.push(builder.addVariable(names.job('idle', j), 0, maxIdleGpuHours(job), 0));
    extraCoefs.push(-1);
  }
  if (checkpoint && cells.length > 0) {
    const allRuns = runCols.flat();
    const begins: number[] = [];
    sites.forEach((s, k) => {
      const runs = runCols[k];
      // The window's first hour: begin = run.
      begins.push(runs[0]);
      for (let i = 1; i < runs.length; i++) {
        const t = job.windowStart + i;
        const begin = builder.addVariable(names.jobSiteHour('begin', j, s, t), 0, 1, 0);
        builder.addConstraint(names.jobSiteHour('beginFrom', j, s, t), 0, Infinity, [begin, runs[i], runs[i - 1]], [1, -1, 1]);
        builder.addConstraint(names.jobSiteHour('beginOnly', j, s, t), -Infinity, 0, [begin, runs[i]], [1, -1]);
        builder.addConstraint(names.jobSiteHour('beginAfterPause', j, s, t), -Infinity, 1, [begin, runs[i - 1]], [1, 1]);
        begins.push(begin);
      }
    });
    const ran = builder.addVariable(names.job('ran', j), 0, 1, 0, true);
    builder.addConstraint(names.job('ranIfRun', j), -Infinity, 0, [...allRuns, ran], [...allRuns.map(() => 1), -allRuns.length]);
    builder.addConstraint(names.job('ranIfBegun', j), -Infinity, 0, [ran, ...begins], [1, ...begins.map(() => -1)]);
    // Each begin after the first adds checkpointGpuHours of work: − k·(Σ begin − ran).
    extraCols.push(...begins, ran);
    extraCoefs.push(...begins.map(() => -rules.checkpointGpuHours), rules.checkpointGpuHours);
  }
  return { cells, extraCols, extraCoefs, oneSiteRows: oneSite };
}

function addBlockJob(
  problem: Problem,
  builder: ModelBuilder,
  names: Names,
  j: number,
  job: JobData,
  shape: JobShape,
  sites: readonly number[],
  termsAt: (s: number, t: number) => SiteHourTerms,
): CellColumn[] {
  const cells: CellColumn[] = [];
  const powerMw = job.gpuPowerKw / 1000;
  for (const s of sites) {
    // The block needs maxGpus GPUs at once. At a usable site (R1) they are there; in the naive
    // model a start where they are not is fixed at 0, since siteCapacity counts GPU-hours and would
    // admit a one-hour block (gpuHours <= gpuCapacity < maxGpus).
    const startUpper = job.maxGpus <= problem.sites[s].gpuCapacity ? 1 : 0;
    const touched = new Set<number>();
    for (let t0 = job.windowStart; t0 + shape.blockHours <= job.windowEnd; t0++) {
      const col = builder.addVariable(names.jobSiteHour('start', j, s, t0), 0, startUpper, 0, true);
      cells.push({ site: s, hour: t0, col });
      for (let k = 0; k < shape.blockHours; k++) {
        const q = blockGpus(job, shape, k);
        const terms = termsAt(s, t0 + k);
        terms.cols.push(col);
        terms.gpus.push(q);
        terms.powerMw.push(powerMw * q);
        touched.add(t0 + k);
      }
    }
    // At most one start is chosen, so the job adds at most maxGpus to any hour.
    for (const t of touched) termsAt(s, t).maxGpus += job.maxGpus;
  }
  return cells;
}

function addJobCap(problem: Problem, builder: ModelBuilder, names: Names, jobs: JobColumns[], reduce: boolean): void {
  problem.jobs.forEach((job, j) => {
    if (!job.interruptible) return;
    // R3: with one usable site the column bound min(G_j, C_s) already is the cap.
    if (reduce && jobs[j].shape.usableSites.length < 2) return;
    // R7: oneSite with runMax already caps the hour at max_s min(G_j, C_s) <= G_j.
    if (reduce && jobs[j].oneSiteRows) return;
    const byHour = new Map<number, { cols: number[]; sumOfBounds: number }>();
    for (const cell of jobs[j].cells) {
      const entry = byHour.get(cell.hour) ?? { cols: [], sumOfBounds: 0 };
      entry.cols.push(cell.col);
      entry.sumOfBounds += Math.min(job.maxGpus, problem.sites[cell.site].gpuCapacity);
      byHour.set(cell.hour, entry);
    }
    for (const [t, { cols, sumOfBounds }] of byHour) {
      // R3: the cells' bounds cannot add up to more than maxGpus.
      if (reduce && sumOfBounds <= job.maxGpus) continue;
      builder.addConstraint(names.jobHour('jobCap', j, t), -Infinity, job.maxGpus, cols, cols.map(() => 1));
    }
  });
}

function addSiteRows(
  problem: Problem,
  builder: ModelBuilder,
  names: Names,
  siteHour: Map<number, SiteHourTerms>[],
  rate: (s: number, t: number) => number,
  reduce: boolean,
): Int32Array[] {
  // grid[s,t]'s column, -1 where R5 leaves it out.
  const gridCols = problem.sites.map(() => new Int32Array(problem.hours).fill(-1));
  problem.sites.forEach((site, s) => {
    for (let t = 0; t < problem.hours; t++) {
      const baseNeedMw = site.pue * site.baseLoadMw[t] - site.greenSupplyMw[t];
      let terms = siteHour[s].get(t);
      if (!terms) {
        if (reduce) {
          // R5: no job can use this site-hour; its base load's grid import is a constant.
          builder.objectiveOffset += rate(s, t) * Math.max(0, baseNeedMw);
          continue;
        }
        terms = { cols: [], gpus: [], powerMw: [], maxGpus: 0 };
      }
      // R4: only where the columns' bounds allow more than the site has.
      if (!reduce || terms.maxGpus > site.gpuCapacity) {
        builder.addConstraint(names.siteHour('siteCapacity', s, t), -Infinity, site.gpuCapacity, terms.cols, terms.gpus);
      }
      const grid = builder.addVariable(names.siteHour('grid', s, t), 0, site.gridImportLimitMw, rate(s, t));
      gridCols[s][t] = grid;
      builder.addConstraint(
        names.siteHour('powerBalance', s, t),
        baseNeedMw,
        Infinity,
        [grid, ...terms.cols],
        [1, ...terms.powerMw.map((p) => -site.pue * p)],
      );
    }
  });
  return gridCols;
}
