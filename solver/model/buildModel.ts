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
 *                                          (every hour at a site with storage)
 *   charge[s,t], discharge[s,t] in [0, P_s]   sites with storage: power into / out of the battery
 *   soc[s,t]      in [0, E_s]              sites with storage: state of charge after hour t (MWh);
 *                                          soc[s,H-1] >= finalMin_s
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
 *                         (with storage: + discharge[s,t] - charge[s,t] on the left)
 *   gridFloor[s,t]:       grid[s,t] - Σ_{(j,k): u_s·p_j·q_j(k) > b} (u_s·p_j·q_j(k) - b)·start[j,s,t-k] >= 0
 *                         with b = g[s,t] - u_s·B[s,t] > 0 the green surplus (per scenario: g_k),
 *                         at sites without storage, where some block alone would exceed b.
 *                         A valid inequality (a cut; `{ cuts: false }` leaves it out): with
 *                         a_i = u_s·p_j·q_j(k) the facility load of block i = (j,k) in the hour,
 *                         at a 0/1 point, if no such block runs the left side is grid >= 0, else
 *                         Σ over the running ones (a_i - b) <= Σ_i a_i - b <= u_s·L + X - b <= grid
 *                         by powerBalance (b > 0, one b subtracted for several blocks). It is
 *                         what the LP relaxation misses when it spreads a block thinly over
 *                         several starts so that each hour's share fits under the green surplus:
 *                         on the benchmark's milp-small it lifts the root LP bound from 9.2% to
 *                         3.3% below the optimum.
 * Storage (sites with a battery: energy E_s, power P_s, efficiencies ηc_s·ηd_s = round trip,
 * initial soc0_s, chargeFromGrid_s); every hour of such a site has grid and powerBalance:
 *   stateOfCharge[s,t]:   soc[s,t] - soc[s,t-1] - ηc_s·charge[s,t] + discharge[s,t]/ηd_s = 0
 *                         (soc[s,-1] = soc0_s, a constant on the right at t = 0)
 *   noExport[s,t]:        grid[s,t] + discharge[s,t] - u_s·L[s,t] (- charge[s,t] if chargeFromGrid_s)
 *                         <= u_s·B[s,t]
 *                         grid and battery serve only the load (and, from the grid, charging):
 *                         without chargeFromGrid, with powerBalance this is
 *                         charge <= g - (F - grid - discharge): the battery charges only from the
 *                         site's green supply, never from grid import (as a battery coupled to the
 *                         wind or solar plant does). In one hour the plant may charge the battery
 *                         while the grid serves the load: that import is counted at its hour's
 *                         intensity. Charging only from a surplus left after the load
 *                         (charge > 0 => grid = 0) is not convex; it would need a binary per
 *                         site-hour.
 *
 * Objective (stage 'weighted', the first solve)
 *   min Σ_{s,t} w[s,t]·grid[s,t] + P·Σ_j unmet[j] + offset
 * (charge, discharge and soc cost nothing. Charging and discharging in the same hour only burns
 * energy through the losses, which is free where green supply is curtailed anyway, so an optimum
 * may do it; decodeStorage nets it out where that keeps every row. A tie-breaking cost on the
 * battery's throughput was measured and not kept: 1e-6 of the dearest rate per MWh made day-ahead
 * with batteries 5.4x slower, 3.6 s against 0.67 s, for the same optimum.)
 * where offset = Σ over site-hours without a grid column of w·max(0, u_s·B - g) (base load only),
 * so the objective equals α·emissionsKg + β·cost of the whole plan plus the penalty. With w >= 0
 * the optimum has grid = max(0, F - g) = F - min(F, g): exactly the accounting in the README.
 *
 * Links and data (Problem.links: directed links l = a -> b carrying K_l = bandwidthGbps·3600/8 GB
 * per hour, energy e_l kWh/GB; JobData.data: dataset D_j GB held at site d_j). Job j with data may
 * use site s only if s = d_j or the link d_j -> s exists (S_j and A_j hold only such sites); at
 * s != d_j the whole dataset must have arrived before the job's first hour there (addTransfers):
 *   transfer[j,s,τ]  in [0, min(D_j, K_l)]   GB sent in hour τ = 0..T_js - 1 (T_js: the last hour
 *                                          of a cell of j at s; data exists before the release)
 *   ready[j,s,t]     in {0,1}                interruptible j: the data is at s by hour t
 *   readyGpus[j,s,t]:    gpus[j,s,t] - min(G_j, C_s)·ready[j,s,t] <= 0
 *   dataArrived[j,s,t]:  D_j·ready[j,s,t] - Σ_{τ<t} transfer[j,s,τ] <= 0
 *                        (non-interruptible j: D_j·start[j,s,t], the block's start is its gate)
 *   dataSent[j,s]:       Σ_τ transfer[j,s,τ] <= D_j
 *   linkCapacity[l,τ]:   Σ_{j,s over l} transfer[j,s,τ] <= K_l   (only where two or more columns share it)
 * Transfer load X[s,τ] = Σ_{j,l from s} e_l/1000·transfer[j,·,τ] (MW; network energy at the meter,
 * not scaled by the PUE) joins the sending site's facility load: powerBalance and noExport read
 * u_s·L[s,t] + X[s,t] for u_s·L[s,t], and the site-hours with X get grid columns. ready needs no
 * monotonicity row: Σ_{τ<t} transfer only grows with t. Without links or data: none of this.
 *
 * Forecast scenarios (Problem.scenarios: k = 1..K with probability p_k, green supply g_k[s,t],
 * intensity c_k[s,t], so rate w_k[s,t] = α·c_k[s,t] + β·π[s,t]). The jobs' columns (gpus, run,
 * start, unmet) and siteCapacity are one for all scenarios (the schedule is decided before the
 * weather is known); grid, charge, discharge, soc and their rows powerBalance, noExport and
 * stateOfCharge are repeated per scenario, named with it: grid[s,t,k] (the battery and the grid
 * follow the weather as it comes). With cost_k = Σ_{s,t} w_k[s,t]·grid[s,t,k] + offset_k (R5's
 * constants in scenario k), the objective's grid part is, by objective.risk:
 *   expected (default):  Σ_k p_k·cost_k
 *   worst:               worstCost,  scenarioCost[k]: worstCost - Σ w_k·grid_k >= offset_k
 *   cvar at level a:     eta + Σ_k p_k·excess[k] / (1 - a),
 *                        cvarExcess[k]: excess[k] + eta - Σ w_k·grid_k >= offset_k, excess >= 0
 * (Rockafellar-Uryasev: at the optimum eta is the value at risk and the objective the mean cost
 * over the worst 1 - a of the probability). worstCost, eta >= 0 as every cost is. Without scenarios, K = 1 with p = 1 and the sites' own
 * forecasts, and the names carry no scenario: the model above, unchanged. Stage 'minUnmet' has
 * w = 0 and uses the expected form.
 *
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
 * The default model differs from it only by the gridFloor cuts above and as follows; each change keeps the same optimum because
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
 *   R5 grid[s,t] and powerBalance[s,t] only at site-hours with job cells (at sites without storage;
 *      a battery links the hours, so its site keeps every hour). Elsewhere L = 0 and, as
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
 * grid = max(0, u_s·(L + B) - g), batteries idle (soc = soc0 >= finalMin), jobs with data at
 * their data site only (transfer = ready = 0). It is a feasible point of the model above; HiGHS
 * builds its first basis from it. The optimum is the same. A MILP whose only integers are the
 * ready gates carries such a start too; the HiGHS adapter solves its LP relaxation from it first
 * (solver/solve/solveFromRelaxation.ts). Any other MILP carries none; when its only integers are
 * blocks' starts, the HiGHS adapter makes one by an LP dive (solver/solve/mipStartByDiving.ts), a
 * hint that changes no optimum either.
 */
import type { JobData, Problem } from '../problem/Problem.js';
import type { LinearModel } from './LinearModel.js';
import { ModelBuilder } from './ModelBuilder.js';
import { blockGpus, jobShape, type JobShape } from './jobShape.js';
import { greedyStart } from './greedyStart.js';
import { modelNames } from './modelNames.js';
import { executableRules, maxIdleGpuHours } from './executableRules.js';
import { addTransfers, type TransferColumn, type TransferLoad } from './addTransfers.js';
import { dataCanReach } from './dataLink.js';

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

/** Where a site's storage columns are, hour by hour. */
export interface StorageColumns {
  charge: Int32Array;
  discharge: Int32Array;
  soc: Int32Array;
}

/**
 * Where the rows of the constraint families are, for reading their duals: row indices into
 * `model.rowNames`, -1 where the family has no row (a reduction left it out, or the job is
 * non-interruptible / has no cells).
 */
export interface ModelRows {
  /** workDone[j]: always present. */
  workDone: number[];
  /** jobCap[j,t], per job a map hour -> row (only hours with a row). */
  jobCap: Map<number, number>[];
  /** siteCapacity[s,t], -1 where R4 leaves it out (or R5: no job can use the site-hour). */
  siteCapacity: Int32Array[];
  /** powerBalance[s,t], -1 where R5 leaves it out. */
  powerBalance: Int32Array[];
  /** unmetTotal (stage 'lexicographic' only), else -1. */
  unmetTotal: number;
  /** gridFloor[s,t(,k)] cuts, the rows of LinearModel.cutRows. */
  gridFloor: number[];
}

/** A model and the index needed to read its solution back. */
export interface BuiltModel {
  model: LinearModel;
  jobs: JobColumns[];
  /** [scenario][site]: storage columns, or undefined for a site without storage (one scenario without forecast scenarios). */
  storage: (StorageColumns | undefined)[][];
  stage: ModelStage;
  /** Where each constraint family's rows are. */
  rows: ModelRows;
  /** [job]: transfer[j,s,t] columns (empty for a job without data). */
  transfers: TransferColumn[][];
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
   * true (the default): give a model of stage 'weighted' without forecast scenarios whose only
   * integers, if any, are data gates a starting point (LinearModel.start, from greedyStart) that
   * solvers may start from. false: no start, for measuring what it saves.
   * Either way the optimum is the same.
   */
  start?: boolean;
  /**
   * true (the default with reductions): add the valid inequalities for block jobs (gridFloor; see
   * the maths above) that tighten the MILP's LP relaxation. false (the default of the naive model,
   * `reductions: false`, which stays the textbook model): without them, for measuring and for
   * testing that they keep the optimum. Either way the optimum is the same.
   */
  cuts?: boolean;
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

  const rows: ModelRows = {
    workDone: [],
    jobCap: problem.jobs.map(() => new Map<number, number>()),
    siteCapacity: problem.sites.map(() => new Int32Array(problem.hours).fill(-1)),
    powerBalance: problem.sites.map(() => new Int32Array(problem.hours).fill(-1)),
    unmetTotal: -1,
    gridFloor: [],
  };
  const jobs: JobColumns[] = problem.jobs.map((job, j) => {
    const shape = jobShape(problem, job);
    const unmetCost = stage.kind === 'weighted' ? stage.unmetPenalty : stage.kind === 'minUnmet' ? 1 : 0;
    // R2: the work the window can never hold is unmet in any case.
    const unmetLower = reduce ? Math.max(0, job.gpuHours - shape.maxDoableGpuHours) : 0;
    const unmetCol = builder.addVariable(names.job('unmet', j), unmetLower, job.gpuHours, unmetCost);
    // R1: only sites with room for the job.
    const sites = reduce ? shape.usableSites : job.allowedSites.filter((s) => dataCanReach(problem, job, s));
    const hasCells = !reduce || shape.maxDoableGpuHours > 0;
    const columns: InterruptibleColumns = hasCells
      ? job.interruptible
        ? addInterruptibleJob(problem, builder, names, j, job, sites, reduce, termsAt)
        : { cells: addBlockJob(problem, builder, names, j, job, shape, sites, termsAt), extraCols: [], extraCoefs: [], oneSiteRows: false }
      : { cells: [], extraCols: [], extraCoefs: [], oneSiteRows: false };
    const { cells } = columns;
    const workCols = cells.map((c) => c.col);
    const workCoef = job.interruptible ? cells.map(() => 1) : cells.map(() => job.gpuHours);
    rows.workDone.push(
      builder.addConstraint(
        names.job('workDone', j),
        job.gpuHours,
        job.gpuHours,
        [...workCols, unmetCol, ...columns.extraCols],
        [...workCoef, 1, ...columns.extraCoefs],
      ),
    );
    return { shape, cells, unmetCol, oneSiteRows: columns.oneSiteRows };
  });

  addJobCap(problem, builder, names, jobs, reduce, rows);
  const integersBeforeTransfers = builder.integerVariables;
  const transfers = addTransfers(problem, builder, names, jobs, (s, t) => {
    const terms = termsAt(s, t);
    terms.transfer ??= { cols: [], mw: [] };
    return terms.transfer;
  });
  const views = scenarioViews(problem, stage);
  const risky = views[0].k !== undefined && stage.kind !== 'minUnmet' && (problem.objective.risk?.kind === 'worst' || problem.objective.risk?.kind === 'cvar');
  // addTransfers adds integers only as ready[j,s,t] gates (a block's start is its own gate).
  const dataGateIntegers = builder.integerVariables - integersBeforeTransfers;
  const { gridCols, storage, costs } = addSiteRows(problem, builder, names, siteHour, views, !risky, reduce, options.cuts ?? reduce, rows);
  if (risky) addRiskRows(problem, builder, names, views, costs);

  if (stage.kind === 'lexicographic') {
    rows.unmetTotal = builder.addConstraint('unmetTotal', -Infinity, stage.unmetCap, jobs.map((j) => j.unmetCol), jobs.map(() => 1));
  }
  const model = builder.build();
  if (rows.gridFloor.length > 0) model.cutRows = Int32Array.from(rows.gridFloor);
  // Only the first stage: the later ones cap or price unmet work, which the greedy does not know.
  // Only without forecast scenarios: the greedy prices the sites' own forecasts.
  if (stage.kind === 'weighted' && (options.start ?? true) && views[0].k === undefined) {
    const start = greedyStart(problem, jobs, gridCols[0], model, storage[0], integersBeforeTransfers === 0 ? dataGateIntegers : -1);
    if (start) model.start = start;
  }
  return { model, jobs, storage, stage, rows, transfers };
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
      // The dirtiest intensity of the hour over the site's own forecast and every scenario's.
      const intensities = [site.carbonIntensityGPerKwh, ...(problem.scenarios ?? []).map((scenario) => scenario.carbonIntensityGPerKwh[s])];
      for (let t = 0; t < problem.hours; t++) {
        const intensity = Math.max(...intensities.map((values) => values[t]));
        const w = problem.objective.carbonWeight * intensity + problem.objective.costWeight * site.pricePerMwh[t];
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
  /** The start columns among `cols` (blocks covering the hour) and their IT load p_j·q_j(k) (MW). */
  blockCols?: number[];
  blockMw?: number[];
  /** Transfer load at the sending site: X[s,t] (MW, not scaled by the PUE); see addTransfers. */
  transfer?: TransferLoad;
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
        (terms.blockCols ??= []).push(col);
        (terms.blockMw ??= []).push(powerMw * q);
        touched.add(t0 + k);
      }
    }
    // At most one start is chosen, so the job adds at most maxGpus to any hour.
    for (const t of touched) termsAt(s, t).maxGpus += job.maxGpus;
  }
  return cells;
}

function addJobCap(problem: Problem, builder: ModelBuilder, names: Names, jobs: JobColumns[], reduce: boolean, rows: ModelRows): void {
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
      rows.jobCap[j].set(t, builder.addConstraint(names.jobHour('jobCap', j, t), -Infinity, job.maxGpus, cols, cols.map(() => 1)));
    }
  });
}

/** One forecast scenario as the site rows see it (the sites' own forecasts when there are none). */
interface ScenarioView {
  /** Index into Problem.scenarios; undefined for the sites' own forecasts (names carry no scenario). */
  k: number | undefined;
  probability: number;
  greenSupplyMw: (s: number) => readonly number[];
  rate: (s: number, t: number) => number;
}

/** Per scenario: the terms of its objective, Σ w_k·grid_k + offset_k, for the risk rows. */
interface ScenarioCost {
  cols: number[];
  coefs: number[];
  offset: number;
}

/** The site rows' columns, per scenario (one entry when the problem has no scenarios). */
interface SiteRows {
  /** [scenario][site]: grid[s,t] columns by hour, -1 where R5 leaves them out. */
  gridCols: Int32Array[][];
  /** [scenario][site]: storage columns, undefined for a site without storage. */
  storage: (StorageColumns | undefined)[][];
  costs: ScenarioCost[];
}

function scenarioViews(problem: Problem, stage: ModelStage): ScenarioView[] {
  const { carbonWeight, costWeight } = problem.objective;
  const priced = stage.kind !== 'minUnmet';
  const scenarios = problem.scenarios ?? [];
  if (scenarios.length === 0) {
    return [
      {
        k: undefined,
        probability: 1,
        greenSupplyMw: (s) => problem.sites[s].greenSupplyMw,
        rate: (s, t) => (priced ? carbonWeight * problem.sites[s].carbonIntensityGPerKwh[t] + costWeight * problem.sites[s].pricePerMwh[t] : 0),
      },
    ];
  }
  return scenarios.map((scenario, k) => ({
    k,
    probability: scenario.probability,
    greenSupplyMw: (s) => scenario.greenSupplyMw[s],
    rate: (s, t) => (priced ? carbonWeight * scenario.carbonIntensityGPerKwh[s][t] + costWeight * problem.sites[s].pricePerMwh[t] : 0),
  }));
}

/**
 * Per scenario: grid, powerBalance, storage and noExport; siteCapacity[s,t] once, with the first
 * (the jobs' schedule is one for all scenarios). Rows come site by site, hour by hour. `pricesInObjective`: each scenario's grid costs go
 * into the objective weighted by its probability (the expected objective); otherwise they are
 * only collected in `costs` for the risk rows.
 */
function addSiteRows(
  problem: Problem,
  builder: ModelBuilder,
  names: Names,
  siteHour: Map<number, SiteHourTerms>[],
  views: readonly ScenarioView[],
  pricesInObjective: boolean,
  reduce: boolean,
  cuts: boolean,
  rows: ModelRows,
): SiteRows {
  const siteRows: SiteRows = { gridCols: [], storage: [], costs: [] };
  for (const [v, view] of views.entries()) {
    const weight = pricesInObjective ? view.probability : 0;
    const cost: ScenarioCost = { cols: [], coefs: [], offset: 0 };
    const gridCols = problem.sites.map(() => new Int32Array(problem.hours).fill(-1));
    const storage = problem.sites.map((site, s) =>
      site.storage ? addStorageColumns(problem, builder, names, s, view.k) : undefined,
    );
    problem.sites.forEach((site, s) => {
      const battery = storage[s];
      const greenSupplyMw = view.greenSupplyMw(s);
      for (let t = 0; t < problem.hours; t++) {
        const baseNeedMw = site.pue * site.baseLoadMw[t] - greenSupplyMw[t];
        const rate = view.rate(s, t);
        let terms = siteHour[s].get(t);
        if (!terms) {
          if (reduce && !battery) {
            // R5: no job can use this site-hour; its base load's grid import is a constant.
            const constant = rate * Math.max(0, baseNeedMw);
            cost.offset += constant;
            builder.objectiveOffset += weight * constant;
            continue;
          }
          terms = { cols: [], gpus: [], powerMw: [], maxGpus: 0 };
        }
        // The jobs' schedule is one for all scenarios: siteCapacity once, with the first.
        // R4: only where the columns' bounds allow more than the site has.
        if (v === 0 && (!reduce || terms.maxGpus > site.gpuCapacity)) {
          rows.siteCapacity[s][t] = builder.addConstraint(names.siteHour('siteCapacity', s, t), -Infinity, site.gpuCapacity, terms.cols, terms.gpus);
        }
        const grid = builder.addVariable(names.siteHourScenario('grid', s, t, view.k), 0, site.gridImportLimitMw, weight * rate);
        gridCols[s][t] = grid;
        if (rate !== 0) {
          cost.cols.push(grid);
          cost.coefs.push(rate);
        }
        // F[s,t] - u_s·B[s,t] = u_s·L[s,t] + X[s,t] (X: transfer load, see addTransfers).
        const facilityCols = terms.transfer ? [...terms.cols, ...terms.transfer.cols] : terms.cols;
        const facilityCoefs = terms.powerMw.map((p) => -site.pue * p).concat(terms.transfer ? terms.transfer.mw.map((x) => -x) : []);
        if (!battery) {
          const row = builder.addConstraint(names.siteHourScenario('powerBalance', s, t, view.k), baseNeedMw, Infinity, [grid, ...facilityCols], [1, ...facilityCoefs]);
          // Duals are read without forecast scenarios only (one powerBalance per site-hour).
          if (view.k === undefined) rows.powerBalance[s][t] = row;
          if (cuts && terms.blockCols) {
            const row = addGridFloor(builder, names, s, t, view.k, grid, site.pue, -baseNeedMw, terms.blockCols, terms.blockMw ?? []);
            if (row >= 0) rows.gridFloor.push(row);
          }
          continue;
        }
        const charge = battery.charge[t];
        const discharge = battery.discharge[t];
        const row = builder.addConstraint(
          names.siteHourScenario('powerBalance', s, t, view.k),
          baseNeedMw,
          Infinity,
          [grid, discharge, charge, ...facilityCols],
          [1, 1, -1, ...facilityCoefs],
        );
        if (view.k === undefined) rows.powerBalance[s][t] = row;
        const fromGrid = site.storage?.chargeFromGrid === true;
        builder.addConstraint(
          names.siteHourScenario('noExport', s, t, view.k),
          -Infinity,
          site.pue * site.baseLoadMw[t],
          fromGrid ? [grid, discharge, charge, ...facilityCols] : [grid, discharge, ...facilityCols],
          fromGrid ? [1, 1, -1, ...facilityCoefs] : [1, 1, ...facilityCoefs],
        );
      }
    });
    siteRows.gridCols.push(gridCols);
    siteRows.storage.push(storage);
    siteRows.costs.push(cost);
  }
  return siteRows;
}

/**
 * gridFloor[s,t] (see the maths above): grid[s,t] >= Σ_i (a_i - b)·x_i over the blocks' starts x_i
 * covering the hour whose facility load a_i = u_s·(IT load in that hour of the block, `blockMw`)
 * alone exceeds the site-hour's green surplus b = g - u_s·B > 0. Only at sites without storage (a
 * battery's discharge could cover it). Returns the row, or -1 when there is none.
 */
function addGridFloor(
  builder: ModelBuilder,
  names: Names,
  s: number,
  t: number,
  k: number | undefined,
  grid: number,
  pue: number,
  surplusMw: number,
  blockCols: readonly number[],
  blockMw: readonly number[],
): number {
  if (surplusMw <= 0) return -1;
  const cols: number[] = [grid];
  const coefs: number[] = [1];
  blockCols.forEach((col, i) => {
    const excessMw = pue * blockMw[i] - surplusMw;
    if (excessMw > 1e-9) {
      cols.push(col);
      coefs.push(-excessMw);
    }
  });
  return cols.length > 1 ? builder.addConstraint(names.siteHourScenario('gridFloor', s, t, k), 0, Infinity, cols, coefs) : -1;
}

/**
 * The risk measure's rows over the scenarios' costs (see the maths above): the worst case
 * (worstCost >= cost_k) or CVaR (eta + Σ p_k·excess_k / (1 - α), excess_k >= cost_k - eta).
 */
function addRiskRows(problem: Problem, builder: ModelBuilder, names: Names, views: readonly ScenarioView[], costs: readonly ScenarioCost[]): void {
  const risk = problem.objective.risk;
  if (risk?.kind === 'worst') {
    const worst = builder.addVariable('worstCost', 0, Infinity, 1);
    costs.forEach((cost, k) => {
      builder.addConstraint(names.scenario('scenarioCost', k), cost.offset, Infinity, [worst, ...cost.cols], [1, ...cost.coefs.map((c) => -c)]);
    });
  } else if (risk?.kind === 'cvar') {
    const eta = builder.addVariable('eta', 0, Infinity, 1);
    costs.forEach((cost, k) => {
      const excess = builder.addVariable(names.scenario('excess', k), 0, Infinity, views[k].probability / (1 - risk.alpha));
      builder.addConstraint(names.scenario('cvarExcess', k), cost.offset, Infinity, [excess, eta, ...cost.cols], [1, 1, ...cost.coefs.map((c) => -c)]);
    });
  }
}

/** charge[s,t], discharge[s,t] and soc[s,t] for every hour (in scenario k), with the stateOfCharge[s,t] rows. */
function addStorageColumns(problem: Problem, builder: ModelBuilder, names: Names, s: number, k: number | undefined): StorageColumns {
  const battery = problem.sites[s].storage;
  if (!battery) throw new Error('addStorageColumns: the site has no storage');
  const H = problem.hours;
  const columns: StorageColumns = { charge: new Int32Array(H), discharge: new Int32Array(H), soc: new Int32Array(H) };
  for (let t = 0; t < H; t++) {
    columns.charge[t] = builder.addVariable(names.siteHourScenario('charge', s, t, k), 0, battery.powerMw, 0);
    columns.discharge[t] = builder.addVariable(names.siteHourScenario('discharge', s, t, k), 0, battery.powerMw, 0);
    const socLower = t === H - 1 ? battery.finalMinMwh : 0;
    columns.soc[t] = builder.addVariable(names.siteHourScenario('soc', s, t, k), socLower, battery.energyMwh, 0);
    const cols = [columns.soc[t], columns.charge[t], columns.discharge[t]];
    const coefs = [1, -battery.chargeEfficiency, 1 / battery.dischargeEfficiency];
    const initial = t === 0 ? battery.initialMwh : 0;
    if (t > 0) {
      cols.push(columns.soc[t - 1]);
      coefs.push(-1);
    }
    builder.addConstraint(names.siteHourScenario('stateOfCharge', s, t, k), initial, initial, cols, coefs);
  }
  return columns;
}

