import type { PlanRequest } from '../generated/cosched/v1/plan_request.js';
import type { Variant, VariantResult } from '../generated/cosched/v1/what_if.js';
import { toPlanResponse } from '../report/toPlanResponse.js';
import type { ReadTextFile } from './loadSiteForecasts.js';
import type { Planner } from './Planner.js';
import { planScenarios, type CompareProgress, type PlannedScenario } from './planScenarios.js';
import { prepareScenarios } from './prepareScenarios.js';
import { metricsDifference, variantMetrics } from './variantMetrics.js';

/** Options of compareScenarios. */
export interface CompareOptions {
  /** Reads ReplaceForecasts files (CLI only; without it such an override is an error). */
  readFile?: ReadTextFile;
  /** Progress events (see CompareProgress). */
  onProgress?: (progress: CompareProgress) => void;
  /** Also put each full PlanResponse in VariantResult.plan. Default false. */
  includePlans?: boolean;
}

/**
 * Answers "what if": plans the base request and every variant of it with `planner` (concurrently)
 * and returns one VariantResult per scenario, the base first (name `base`), then the variants in
 * the given order. Each row has its termination, its metrics (see variantMetrics; carbon saved is
 * against the scenario's own baseline) and differenceToBase (row minus base; zero for the base).
 *
 * All input is checked before any plan starts (prepareScenarios); a caller that also needs the
 * problems and PlanResults (for a report) calls prepareScenarios, planScenarios and
 * toVariantResults itself.
 *
 * @throws CoschedError INVALID_ARGUMENT for a bad base or bad variants (every violation at once);
 *   whatever the planner throws, prefixed with the scenario's name.
 */
export async function compareScenarios(base: PlanRequest, variants: readonly Variant[], planner: Planner, options: CompareOptions = {}): Promise<VariantResult[]> {
  const scenarios = prepareScenarios(base, variants, options.readFile);
  const planned = await planScenarios(scenarios, planner, options.onProgress);
  return toVariantResults(planned, options.includePlans === true);
}

/**
 * The rows of a comparison from planned scenarios whose first entry is the base: termination,
 * metrics, differenceToBase, and the PlanResponse when `includePlans`.
 */
export function toVariantResults(planned: readonly PlannedScenario[], includePlans = false): VariantResult[] {
  const rows = planned.map(({ name, problem, result }) => {
    const response = toPlanResponse(problem, result);
    return { name, termination: response.termination, metrics: variantMetrics(problem, result), plan: includePlans ? response : undefined };
  });
  const baseMetrics = rows[0]?.metrics;
  return rows.map((row) => ({
    name: row.name,
    termination: row.termination,
    metrics: row.metrics,
    differenceToBase: metricsDifference(row.metrics, baseMetrics ?? row.metrics),
    plan: row.plan,
  }));
}
