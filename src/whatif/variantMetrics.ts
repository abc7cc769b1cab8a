import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { VariantMetrics } from '../generated/cosched/v1/what_if.js';

/**
 * The comparison metrics of one plan, from its summary and accounts:
 * emissionsKg, carbonSavedKg and carbonSavedPercent (against the plan's own baseline), greenShare,
 * cost, unmetGpuHours and solveMs as in PlanSummary / SolveInfo, and
 * curtailmentAbsorbedMwh = Σ over sites and hours of (green used with the jobs − green the base
 * load alone would use), where the base load alone uses min(pue × baseLoadMw, greenSupplyMw):
 * the MWh of green supply that would have been curtailed without the jobs. 0 without a schedule.
 */
export function variantMetrics(problem: Problem, result: PlanResult): VariantMetrics {
  return {
    emissionsKg: result.summary.emissionsKg,
    carbonSavedKg: result.summary.carbonSavedKg,
    carbonSavedPercent: result.summary.carbonSavedPercent,
    greenShare: result.summary.greenShare,
    curtailmentAbsorbedMwh: curtailmentAbsorbedMwh(problem, result),
    cost: result.summary.cost,
    unmetGpuHours: result.summary.unmetGpuHours,
    solveMs: result.solve.solveMs,
  };
}

/** Each metric of `row` minus the same metric of `base`. */
export function metricsDifference(row: VariantMetrics, base: VariantMetrics): VariantMetrics {
  return {
    emissionsKg: row.emissionsKg - base.emissionsKg,
    carbonSavedKg: row.carbonSavedKg - base.carbonSavedKg,
    carbonSavedPercent: row.carbonSavedPercent - base.carbonSavedPercent,
    greenShare: row.greenShare - base.greenShare,
    curtailmentAbsorbedMwh: row.curtailmentAbsorbedMwh - base.curtailmentAbsorbedMwh,
    cost: row.cost - base.cost,
    unmetGpuHours: row.unmetGpuHours - base.unmetGpuHours,
    solveMs: row.solveMs - base.solveMs,
  };
}

function curtailmentAbsorbedMwh(problem: Problem, result: PlanResult): number {
  if (result.plan === undefined) return 0;
  let absorbedMwh = 0;
  problem.sites.forEach((site, s) => {
    const greenUsedMw = result.plan!.sites[s].greenUsedMw;
    for (let t = 0; t < problem.hours; t++) {
      absorbedMwh += greenUsedMw[t] - Math.min(site.pue * site.baseLoadMw[t], site.greenSupplyMw[t]);
    }
  });
  return absorbedMwh;
}
