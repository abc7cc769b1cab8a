import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { validatePlanRequest } from '../data/validatePlanRequest.js';
import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { Termination } from '../generated/cosched/v1/plan_response.js';
import type { FrontierPoint } from '../generated/cosched/v1/what_if.js';
import { toPlanResponse } from '../report/toPlanResponse.js';
import { formatWeight, paretoFrontier, type WeightedPlan } from './paretoFrontier.js';
import type { Planner } from './Planner.js';

/** Options of sweepFrontier. */
export interface FrontierOptions {
  /** The most plans to solve, and so the most points: an integer 2..100. Default 8. */
  points?: number;
  onProgress?: (progress: FrontierProgress) => void;
}

/** Progress of a sweep, for a CLI progress bar and a streaming RPC. */
export type FrontierProgress =
  | { kind: 'started'; costWeight: number; started: number; maxPlans: number }
  | { kind: 'finished'; costWeight: number; finished: number; maxPlans: number; termination: TerminationCondition };

/** The carbon-versus-cost frontier. */
export interface Frontier {
  /** Pareto points sorted by cost ascending: cost rises and emissions strictly fall along the list. */
  points: FrontierPoint[];
  /** Points left out and why, and limits of the sweep (no prices, negative prices). */
  warnings: string[];
}

export const defaultFrontierPoints = 8;
const maxFrontierPoints = 100;
// The ends of the sweep, around the data's own exchange rate of carbon for cost: a millionth of
// it gives the cheapest of the min-carbon plans, a million times it the cleanest min-cost plan.
const endWeightRatio = 1e6;

/**
 * Sweeps the weight w in objective = emissionsKg + w × cost (carbonWeight 1; the request's own
 * objective is ignored) and returns the Pareto points, so that a planner sees what each tonne
 * saved costs (FrontierPoint.marginalCostPerTonne).
 *
 * The range comes from the data: r = Σ carbonIntensityGPerKwh / Σ |pricePerMwh| over all site-hours
 * (kg per unit of currency, at one MWh each) is the typical rate at which the request trades
 * carbon for cost. The ends are w = r / 10^6 (the min-carbon plan, ties broken by cost) and
 * w = r × 10^6 (the min-cost plan, ties broken by carbon), capped where a negative price would make
 * an hour's rate negative. Between them, weights are not a fixed grid: each next weight is the
 * one at which two neighbouring points tie, w = (E₁ − E₂) / (C₂ − C₁), and a plan that beats both
 * at that weight is a new corner of the frontier (the NISE method of Cohon, 1978). This finds
 * every corner a weighted sum can reach, with no solve wasted on a weight that gives a point
 * already known; the segments of each round are planned concurrently, widest first, until
 * `points` plans have been solved or no segment is left. Points strictly inside a frontier edge
 * and unsupported points of a MILP (in a dent of the frontier) are not found by weighted sums.
 *
 * The objective passed to the planner is scaled (carbonWeight 1/k, costWeight w/k with
 * k = max(1, w / r)), which leaves the optimum unchanged and keeps the coefficients near each
 * other. Each plan passes the independent checker as usual. The result goes through
 * paretoFrontier: sorted by cost, dominated and duplicate points removed (a time-limited point
 * that breaks monotonicity is dropped with a warning).
 *
 * Without prices (all zero) cost is the same for every plan and the frontier is the min-carbon
 * plan alone; without carbon intensity it is the min-cost plan alone; both come with a warning.
 *
 * @throws CoschedError INVALID_ARGUMENT when the request is invalid or `points` is not an
 *   integer 2..100; whatever the planner throws.
 */
export async function sweepFrontier(request: PlanRequest, planner: Planner, options: FrontierOptions = {}): Promise<Frontier> {
  const maxPlans = options.points ?? defaultFrontierPoints;
  if (!Number.isInteger(maxPlans) || maxPlans < 2 || maxPlans > maxFrontierPoints) {
    throw CoschedError.invalid([{ field: 'points', description: `got ${maxPlans}; expected an integer 2..${maxFrontierPoints}` }], 'frontier request');
  }
  // The request's own objective plays no part (the sweep sets its own), so it is not validated either.
  const problem = validatePlanRequest({ ...request, objective: undefined });
  const warnings: string[] = [];
  const range = weightRange(problem, warnings);

  let started = 0;
  let finished = 0;
  const solve = async (costWeight: number): Promise<SolvedWeight> => {
    started++;
    options.onProgress?.({ kind: 'started', costWeight, started, maxPlans });
    const weighted = weightedProblem(problem, costWeight, range.carbonPerCost);
    const result = await planner(weighted);
    finished++;
    options.onProgress?.({ kind: 'finished', costWeight, finished, maxPlans, termination: result.termination });
    return { ...weightedPlan(costWeight, result), protoTermination: toPlanResponse(weighted, result).termination };
  };

  const solved: SolvedWeight[] = [];
  if (range.single !== undefined) {
    solved.push(await solve(range.single));
  } else {
    const [cheapest, cleanest] = await Promise.all([solve(range.maxWeight), solve(range.minWeight)]);
    solved.push(cheapest, cleanest);
    const tolerance = objectiveTolerance(problem);
    let open: Array<[SolvedWeight, SolvedWeight]> = [[cheapest, cleanest]];
    while (open.length > 0 && started < maxPlans) {
      const segments = open.filter(([a, b]) => a.hasPlan && b.hasPlan && clearlyAbove(a.emissionsKg, b.emissionsKg) && clearlyAbove(b.cost, a.cost));
      segments.sort((x, y) => area(y) - area(x));
      const round = segments.slice(0, maxPlans - started);
      const answers = await Promise.all(round.map(([a, b]) => solve(tieWeight(a, b))));
      open = segments.slice(round.length);
      round.forEach(([a, b], i) => {
        const next = answers[i];
        const w = next.costWeight;
        const line = a.emissionsKg + w * a.cost;
        if (!next.hasPlan) {
          warnings.push(`cost weight ${formatWeight(w)}: no schedule (${next.termination}); the frontier between its neighbours is not refined`);
        } else if (next.emissionsKg + w * next.cost < line - tolerance * Math.max(1, Math.abs(line))) {
          solved.push(next);
          open.push([a, next], [next, b]);
        }
      });
    }
  }

  const frontier = paretoFrontier(solved);
  warnings.push(...frontier.warnings);
  const points: FrontierPoint[] = frontier.points.map((point) => ({
    costWeight: point.costWeight,
    emissionsKg: point.emissionsKg,
    cost: point.cost,
    unmetGpuHours: point.unmetGpuHours,
    marginalCostPerTonne: point.marginalCostPerTonne,
    termination: point.protoTermination,
  }));
  return { points, warnings };
}

/** A solved weight and its termination as the wire has it. */
interface SolvedWeight extends WeightedPlan {
  protoTermination: Termination;
}

interface WeightRange {
  /** kg CO2eq per unit of currency: the data's typical exchange rate. */
  carbonPerCost: number;
  minWeight: number;
  maxWeight: number;
  /** Set when there is nothing to trade: plan this one weight only. */
  single?: number;
}

function weightRange(problem: Problem, warnings: string[]): WeightRange {
  let carbonSum = 0;
  let priceSum = 0;
  // Each hour's rate w·price + intensity must stay >= 0, so a negative price caps w.
  let cap = Infinity;
  for (const site of problem.sites) {
    for (let t = 0; t < problem.hours; t++) {
      const price = site.pricePerMwh[t];
      carbonSum += site.carbonIntensityGPerKwh[t];
      priceSum += Math.abs(price);
      if (price < 0) cap = Math.min(cap, site.carbonIntensityGPerKwh[t] / -price);
    }
  }
  if (priceSum === 0) {
    warnings.push('no site has a price, so every plan costs 0: the frontier is the min-carbon plan alone');
    return { carbonPerCost: 1, minWeight: 0, maxWeight: 0, single: 0 };
  }
  if (carbonSum === 0) {
    warnings.push('every carbon intensity is 0, so every plan emits nothing: the frontier is the min-cost plan alone');
    return { carbonPerCost: 1, minWeight: 1, maxWeight: 1, single: 1 };
  }
  const carbonPerCost = carbonSum / priceSum;
  const minWeight = carbonPerCost / endWeightRatio;
  let maxWeight = carbonPerCost * endWeightRatio;
  // Just below the cap, so that rounding cannot leave an hour's rate negative.
  const safeCap = cap * (1 - 1e-9);
  if (safeCap < maxWeight) {
    maxWeight = safeCap;
    warnings.push(
      `negative prices cap the cost weight at ${formatWeight(safeCap)} (beyond it an hour's rate would be negative, which the model does not support): the cheapest point may cost more than the min-cost plan`,
    );
  }
  if (maxWeight <= minWeight) {
    warnings.push('negative prices leave no room to weigh cost against carbon: the frontier is the min-carbon plan alone');
    return { carbonPerCost, minWeight: 0, maxWeight: 0, single: 0 };
  }
  return { carbonPerCost, minWeight, maxWeight };
}

/** The problem with objective emissions + w × cost, scaled by 1/k, k = max(1, w / carbonPerCost). */
function weightedProblem(problem: Problem, costWeight: number, carbonPerCost: number): Problem {
  const k = Math.max(1, costWeight / carbonPerCost);
  return { ...problem, objective: { ...problem.objective, carbonWeight: 1 / k, costWeight: costWeight / k } };
}

function weightedPlan(costWeight: number, result: PlanResult): WeightedPlan {
  return {
    costWeight,
    termination: result.termination,
    hasPlan: result.plan !== undefined,
    emissionsKg: result.summary.emissionsKg,
    cost: result.summary.cost,
    unmetGpuHours: result.summary.unmetGpuHours,
  };
}

/** The weight at which the cheaper, dirtier plan `a` and the cleaner, dearer `b` cost the same objective. */
function tieWeight(a: WeightedPlan, b: WeightedPlan): number {
  return (a.emissionsKg - b.emissionsKg) / (b.cost - a.cost);
}

/** `x` exceeds `y` by more than rounding (1e-7 relative). */
function clearlyAbove(x: number, y: number): boolean {
  return x - y > 1e-7 * Math.max(1, Math.abs(x), Math.abs(y));
}

/** Widest segments first: the product of their carbon and cost spans. */
function area([a, b]: [WeightedPlan, WeightedPlan]): number {
  return (a.emissionsKg - b.emissionsKg) * (b.cost - a.cost);
}

/** How much better (relative) a plan must be at a tie weight to count as a new corner. */
function objectiveTolerance(problem: Problem): number {
  const hasIntegers = problem.jobs.some((job) => !job.interruptible || job.minGpus > 0);
  return hasIntegers ? Math.max(1e-7, problem.options.mipGap) : 1e-7;
}
