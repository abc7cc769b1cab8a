import type { Highs, HighsCallbackMap, Model } from 'highs';
import type { LinearModel } from '../model/LinearModel.js';
import type { SolveProgress } from './SolveOutcome.js';
import { plusZero } from './plusZero.js';
import { fixIntegerColumns } from './fixIntegerColumns.js';
import { createHighsModel, setHighsOption as setOption } from './createHighsModel.js';
import { lpCostPerturbationMultiplier } from './lpCostPerturbationMultiplier.js';
import { mipStartByDiving } from './mipStartByDiving.js';
import { solveFromRelaxation } from './solveFromRelaxation.js';

/** What to solve and how: one HiGHS run. */
export interface HighsSolveRequest {
  model: LinearModel;
  /** Seconds; a non-finite value means no limit. */
  timeLimitSeconds: number;
  mipGap: number;
  /** Minimum ms between progress reports; 0 sends none. */
  progressIntervalMs: number;
  /** true: return duals of an optimal solve (for a MILP, of the LP with its integers fixed). */
  duals?: boolean;
}

/** What one HiGHS run ended with, before the termination table reads it (see highsRunOutcome). */
export interface HighsRunResult {
  /** Numeric HiGHS model status after the final run. */
  modelStatus: number;
  primalFeasible: boolean;
  isMip: boolean;
  /** Column values when HiGHS holds a feasible point. */
  values?: Float64Array;
  objective?: number;
  /** HiGHS's `mip_gap` info for a MILP (Infinity when unknown); absent for an LP. */
  mipGap?: number;
  /** True when an 'infeasible or unbounded' answer was re-solved without presolve. */
  resolvedWithoutPresolve: boolean;
  /** True when HiGHS was given the model's start (LinearModel.start) to build its first basis from. */
  startUsed: boolean;
  /**
   * True when `values` are the model's start itself: the time limit ended the simplex before it
   * had a primal feasible point of its own, and the start (feasible by construction) is the best
   * point known. The planner's independent checker checks it like any other solution.
   */
  valuesFromStart: boolean;
  /** Row duals when asked for and the solve is optimal (see SolveOutcome.rowDuals). */
  rowDuals?: Float64Array;
  /** Column reduced costs, with rowDuals. */
  colDuals?: Float64Array;
  /** With rowDuals: 'lp', or 'lp_with_integers_fixed' for a MILP. */
  dualsFrom?: 'lp' | 'lp_with_integers_fixed';
}

/**
 * Solves `request.model` with the loaded HiGHS instance `highs`, synchronously, in the calling
 * thread: it blocks that thread until HiGHS stops, so call it only off the main thread (the HiGHS
 * worker of HighsThread, or a plan worker). Nothing can interrupt it from inside the thread; a
 * caller that must stop it terminates the thread.
 *
 * `onProgress` receives MIP incumbent/bound/gap (an empty heartbeat for an LP) at most every
 * `request.progressIntervalMs`, synchronously from inside HiGHS's callbacks.
 *
 * An "infeasible or unbounded" answer from presolve is re-solved once without presolve (the time
 * budget is cumulative). HiGHS's -0 values are returned as +0.
 *
 * @throws Error when HiGHS throws (invalid model, refused option, WebAssembly abort); its message
 *   names the columns and rows HiGHS refers to by index. The instance may then be damaged: do not
 *   reuse it.
 */
export function solveHighsInThisThread(highs: Highs, request: HighsSolveRequest, onProgress?: (progress: Omit<SolveProgress, 'elapsedMs'>) => void): HighsRunResult {
  const m = request.model;
  const numCols = m.colNames.length;
  const isMip = m.colInteger.some((flag) => flag !== 0);
  let model: Model | undefined;
  try {
    if (m.start !== undefined && m.start.length !== numCols) throw new Error(`the model's start has ${m.start.length} values for ${numCols} columns`);
    // NaN or a negative limit (no caller of ours sends one) means no time at all, not no limit.
    let timeLimitSeconds = Number.isNaN(request.timeLimitSeconds) || request.timeLimitSeconds < 0 ? 0 : request.timeLimitSeconds;
    // A MILP whose start is a feasible point (its only integers are data gates) first tries its LP
    // relaxation, rounded; HiGHS's branch and cut runs only when that is not within the gap.
    let mipStart: Float64Array | undefined;
    if (isMip && m.start !== undefined) {
      const startedMs = performance.now();
      const relaxed = solveFromRelaxation(highs, { ...request, timeLimitSeconds });
      if (relaxed.result) return relaxed.result;
      mipStart = relaxed.incumbent;
      timeLimitSeconds -= (performance.now() - startedMs) / 1000;
    }
    model = createHighsModel(highs, m, isMip);
    setOption(model, 'mip_rel_gap', request.mipGap);
    const start = isMip ? undefined : m.start;
    const algorithm = lpAlgorithm(isMip, numCols, start !== undefined);
    setOption(model, 'solver', algorithm);
    // A MILP of blocks gets a start from an LP dive (mipStartByDiving) if it ends within 1% (or the
    // MIP gap, if larger) of the LP bound, within a fifth of the time limit (at most 30 s), which
    // comes off HiGHS's own limit. HiGHS ignores a start it finds infeasible.
    if (isMip && mipStart === undefined) {
      const diveStartedMs = performance.now();
      mipStart = mipStartByDiving(highs, m, Math.min(30, 0.2 * timeLimitSeconds), Math.max(0.01, request.mipGap));
      timeLimitSeconds -= (performance.now() - diveStartedMs) / 1000;
    }
    // The start is the first incumbent: say so now, as branch and cut may be silent for a while.
    if (mipStart !== undefined && onProgress !== undefined && request.progressIntervalMs > 0) onProgress({ incumbent: objectiveAt(m, mipStart) });
    // The wrapper rejects an infinite time_limit; HiGHS's default already means "none".
    if (Number.isFinite(timeLimitSeconds)) setOption(model, 'time_limit', Math.max(0, timeLimitSeconds));
    const callbacks = progressCallbacks(highs, request, isMip, onProgress);
    // These LPs are very degenerate (zero-cost gpus columns, ties everywhere): dual simplex takes far
    // fewer iterations with more cost perturbation than HiGHS's default, which it removes before it
    // declares optimality (the optimum is unchanged; see lpCostPerturbationMultiplier).
    if (!isMip && algorithm !== 'ipm') setOption(model, 'dual_simplex_cost_perturbation_multiplier', lpCostPerturbationMultiplier);
    // A start for an LP solved by simplex: HiGHS builds its first basis from it ("useful basis",
    // so presolve is skipped). IPM cannot start from a point. For a MILP, the rounded relaxation
    // (from the model's start) or the dive's point is its first incumbent. Should HiGHS refuse it,
    // solve without.
    let startUsed = false;
    const givenPoint = start ?? mipStart;
    if (givenPoint && algorithm !== 'ipm') {
      try {
        model.setSolution({ colValue: givenPoint });
        // startUsed says the model's own start (LinearModel.start) reached HiGHS, as the basis of an
        // LP or through the rounded relaxation of a MILP; the dive's point is not the model's.
        startUsed = m.start !== undefined;
      } catch {
        // Refused: HiGHS solves from its own starting basis instead.
      }
    }
    model.run(callbacks);

    const statuses = highs.constants.modelStatus;
    let modelStatus: number = model.getModelStatus();
    let resolvedWithoutPresolve = false;
    if (modelStatus === statuses.unboundedOrInfeasible) {
      // Presolve often cannot tell the two apart; the solver proper can. The time budget is
      // cumulative, so the re-solve only gets what is left of it.
      setOption(model, 'presolve', 'off');
      model.run(callbacks);
      const retried = model.getModelStatus();
      resolvedWithoutPresolve = true;
      if (retried === statuses.infeasible || retried === statuses.unbounded || retried === statuses.optimal) modelStatus = retried;
    }

    const solverFeasible = model.info.get('primal_solution_status') === highs.constants.solutionStatus.feasible;
    // Dual simplex and IPM may have no primal feasible point when the time limit hits: then the
    // start (a feasible point of the model, by its contract) is the best plan there is.
    const valuesFromStart = !solverFeasible && start !== undefined && modelStatus === statuses.timeLimit;
    const primalFeasible = solverFeasible || valuesFromStart;
    const solution = solverFeasible ? model.getSolution() : undefined;
    const values = solution ? solution.colValue : valuesFromStart ? start.slice() : undefined;
    // HiGHS can return -0; -0 + 0 is +0, which keeps reports and equality checks plain.
    if (values) plusZero(values);
    const objective = solverFeasible ? model.getObjectiveValue() : valuesFromStart ? objectiveAt(m, start) : undefined;
    const duals = request.duals && solution && modelStatus === statuses.optimal ? dualsOf(highs, model, m, isMip, solution) : undefined;
    return {
      modelStatus,
      primalFeasible,
      isMip,
      values,
      objective,
      mipGap: isMip ? Number(model.info.get('mip_gap')) : undefined,
      resolvedWithoutPresolve,
      startUsed,
      valuesFromStart,
      ...duals,
    };
  } catch (error) {
    throw new Error(withNames(error instanceof Error ? `${error.name}: ${error.message}` : String(error), m));
  } finally {
    try {
      model?.dispose();
    } catch {
      // After a WebAssembly abort dispose can throw too; the caller replaces the instance anyway.
    }
  }
}

/**
 * Columns from which an LP is solved with HiGHS's interior-point method (IPX, followed by
 * crossover to an optimal vertex, so the answer is as exact as simplex's) instead of dual simplex:
 * without a starting point from 120,000 columns, with one (LinearModel.start) from 400,000.
 * Measured on the benchmark's generated instances (2-core machine, HiGHS 1.15 WebAssembly).
 * From a slack basis: 40 k columns: simplex 1.6 s, IPM 5.5 s; 107 k: 12 s and 30 s; 157 k: 93 s
 * and 54 s; 232 k (week-ahead): simplex not finished in 120 s, IPM 62 s. These LPs are highly
 * degenerate (every job's cells cost the same per GPU-hour at a site-hour), which is what slows
 * simplex down. From the greedy start: day-ahead (40 k) 1.1 s instead of 1.6 s; week-ahead (232 k)
 * 31 s, against 62 s with IPM; stress (581 k) not finished in 14 min, against 296 s with IPM.
 */
const ipmFromColumns = { withoutStart: 120_000, withStart: 400_000 };

/** HiGHS's `solver` option for a model: 'choose' (HiGHS's MIP solver or dual simplex) or 'ipm'. */
function lpAlgorithm(isMip: boolean, numCols: number, hasStart: boolean): 'choose' | 'ipm' {
  return !isMip && numCols >= (hasStart ? ipmFromColumns.withStart : ipmFromColumns.withoutStart) ? 'ipm' : 'choose';
}

/**
 * The duals of an optimal solve. An LP's come with its solution (no extra work). A MILP has none,
 * so every integer column is fixed at its rounded value, integrality is cleared and that LP is
 * solved (from the MILP's point, so it is quick): its duals are those of "the LP with the integer
 * solution fixed". Undefined when HiGHS has no dual solution (e.g. the fixed LP did not end optimal).
 */
function dualsOf(
  highs: Highs,
  model: Model,
  m: LinearModel,
  isMip: boolean,
  solution: { colValue: Float64Array; rowDual: Float64Array; colDual: Float64Array },
): Pick<HighsRunResult, 'rowDuals' | 'colDuals' | 'dualsFrom'> | undefined {
  const feasible = highs.constants.solutionStatus.feasible;
  if (!isMip) {
    if (model.info.get('dual_solution_status') !== feasible) return undefined;
    return { rowDuals: plusZero(solution.rowDual), colDuals: plusZero(solution.colDual), dualsFrom: 'lp' };
  }
  fixIntegerColumns(model, m, solution.colValue);
  model.clearIntegrality();
  setOption(model, 'solver', 'simplex');
  try {
    model.setSolution({ colValue: solution.colValue });
  } catch {
    // Refused: the fixed LP is solved from HiGHS's own start, as quickly in practice.
  }
  model.run();
  if (model.getModelStatus() !== highs.constants.modelStatus.optimal || model.info.get('dual_solution_status') !== feasible) return undefined;
  const fixedLp = model.getSolution();
  return { rowDuals: plusZero(fixedLp.rowDual), colDuals: plusZero(fixedLp.colDual), dualsFrom: 'lp_with_integers_fixed' };
}

/** The model's objective at `x`: offset + Σ cost·x. */
function objectiveAt(m: LinearModel, x: Float64Array): number {
  let objective = m.objectiveOffset;
  for (let c = 0; c < x.length; c++) objective += m.colCost[c] * x[c];
  return objective;
}

/** Progress at most every `progressIntervalMs`: MIP bounds for a MILP, a heartbeat for an LP. */
function progressCallbacks(
  highs: Highs,
  request: HighsSolveRequest,
  isMip: boolean,
  onProgress: ((progress: Omit<SolveProgress, 'elapsedMs'>) => void) | undefined,
): HighsCallbackMap {
  const intervalMs = request.progressIntervalMs;
  if (intervalMs <= 0 || !onProgress) return {};
  let lastPostMs = performance.now();
  const maybePost = (progress: Omit<SolveProgress, 'elapsedMs'>): undefined => {
    const nowMs = performance.now();
    if (nowMs - lastPostMs < intervalMs) return;
    lastPostMs = nowMs;
    onProgress(progress);
  };
  const types = highs.constants.callbackType;
  if (isMip) {
    return {
      [types.mipInterrupt]: (event) =>
        maybePost({
          incumbent: finite(event.data.mip_primal_bound),
          bound: finite(event.data.mip_dual_bound),
          mipGap: finite(event.data.mip_gap),
        }),
    };
  }
  return {
    [types.simplexInterrupt]: () => maybePost({}),
    [types.ipmInterrupt]: () => maybePost({}),
  };
}

/** Adds element names to HiGHS's index references: `colCost[3]` becomes `colCost[3] (gpus(j1,a,h0003))`. */
function withNames(message: string, m: LinearModel): string {
  return message.replace(/\b(col|row)(\w*)\[(\d+)\]/g, (match: string, axis: string, _field: string, i: string) => {
    const name = (axis === 'col' ? m.colNames : m.rowNames)[Number(i)];
    return name === undefined ? match : `${match} (${name})`;
  });
}

/** HiGHS reports "none yet" as null or ±Infinity; progress leaves such fields out. */
function finite(x: number | null | undefined): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}
