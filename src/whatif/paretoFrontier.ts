import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { formatNumber } from '../report/formatNumber.js';

/** One solved weight of a frontier sweep. */
export interface WeightedPlan {
  /** w in objective = emissionsKg + w × cost. */
  costWeight: number;
  termination: TerminationCondition;
  /** False when the solve found no schedule (then the numbers below mean nothing). */
  hasPlan: boolean;
  emissionsKg: number;
  cost: number;
  unmetGpuHours: number;
}

/** A kept point, with the extra cost per tonne CO2eq saved against the point before it. */
export type ParetoPoint<T extends WeightedPlan = WeightedPlan> = T & { marginalCostPerTonne: number };

// Relative tolerance under which two costs or two emissions count as equal.
const relativeTolerance = 1e-7;

/**
 * The Pareto points among `plans`, sorted by cost ascending, so that along the list cost rises
 * and emissions strictly fall. Dropped: plans without a schedule, plans that leave more work
 * unmet than the least of them (they are cheaper and cleaner only by doing less), duplicates
 * (cost and emissions equal within 1e-7 relative), and dominated plans (another is no dearer and
 * no dirtier). Weighted-sum optima can only be dominated through ties; a dominated plan whose
 * solve hit the time limit is reported in `warnings`, as are the other drops except duplicates.
 *
 * marginalCostPerTonne = (cost − previous cost) / ((previous emissionsKg − emissionsKg) / 1000);
 * 0 for the first (cheapest) point. Each point keeps the fields of the plan it came from.
 */
export function paretoFrontier<T extends WeightedPlan>(plans: readonly T[]): { points: Array<ParetoPoint<T>>; warnings: string[] } {
  const warnings: string[] = [];
  const planned = plans.filter((plan) => {
    if (!plan.hasPlan) warnings.push(`cost weight ${formatWeight(plan.costWeight)}: no schedule (${plan.termination}); the point is left out`);
    return plan.hasPlan;
  });
  if (planned.length === 0) return { points: [], warnings };
  const toleranceCost = relativeTolerance * Math.max(1, ...planned.map((p) => Math.abs(p.cost)));
  const toleranceKg = relativeTolerance * Math.max(1, ...planned.map((p) => Math.abs(p.emissionsKg)));
  const toleranceWork = relativeTolerance * Math.max(1, ...planned.map((p) => p.unmetGpuHours));

  const leastUnmet = Math.min(...planned.map((p) => p.unmetGpuHours));
  const comparable = planned.filter((plan) => {
    const more = plan.unmetGpuHours > leastUnmet + toleranceWork;
    if (more) {
      warnings.push(
        `cost weight ${formatWeight(plan.costWeight)}: ${formatNumber(plan.unmetGpuHours - leastUnmet, 2)} GPU-hours more unmet work than the other points (${plan.termination}); the point is left out`,
      );
    }
    return !more;
  });

  const sorted = [...comparable].sort((a, b) => a.cost - b.cost || a.emissionsKg - b.emissionsKg || a.costWeight - b.costWeight);
  const kept: T[] = [];
  const dropDominated = (plan: WeightedPlan, by: WeightedPlan) => {
    const duplicate = Math.abs(plan.cost - by.cost) <= toleranceCost && Math.abs(plan.emissionsKg - by.emissionsKg) <= toleranceKg;
    if (!duplicate && plan.termination !== 'optimal') {
      warnings.push(
        `cost weight ${formatWeight(plan.costWeight)}: the time-limited plan (cost ${formatNumber(plan.cost, 2)}, ${formatNumber(plan.emissionsKg, 2)} kg) is dominated by the plan at cost weight ${formatWeight(by.costWeight)} (cost ${formatNumber(by.cost, 2)}, ${formatNumber(by.emissionsKg, 2)} kg); the point is left out`,
      );
    }
  };
  for (const plan of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined) {
      kept.push(plan);
    } else if (plan.emissionsKg < last.emissionsKg - toleranceKg) {
      // Equal cost but cleaner: the earlier point is the dominated one.
      if (plan.cost <= last.cost + toleranceCost) dropDominated(kept.pop() as T, plan);
      kept.push(plan);
    } else {
      dropDominated(plan, last);
    }
  }
  const points = kept.map((plan, i) => {
    const previous = kept[i - 1];
    const marginalCostPerTonne = previous === undefined ? 0 : (plan.cost - previous.cost) / ((previous.emissionsKg - plan.emissionsKg) / 1_000);
    return { ...plan, marginalCostPerTonne };
  });
  return { points, warnings };
}

/** A cost weight for messages and tables, three significant digits: `0.0125`, `26.6`, `1.29e-6`, `1.29e+6`. */
export function formatWeight(costWeight: number): string {
  if (costWeight === 0) return '0';
  const magnitude = Math.abs(costWeight);
  const text = magnitude < 1e-3 || magnitude >= 1e5 ? costWeight.toExponential(2) : costWeight.toPrecision(3);
  return text.includes('.') ? text.replace(/0+(?=e|$)/, '').replace(/\.(?=e|$)/, '') : text;
}
