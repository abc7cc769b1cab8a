import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { CompareScenariosRequest, CompareScenariosProgress } from '../generated/cosched/v1/co_scheduler_service.js';
import type { VariantResult } from '../generated/cosched/v1/what_if.js';
import { toVariantResults } from '../whatif/compareScenarios.js';
import { planScenarios } from '../whatif/planScenarios.js';
import { prepareScenarios, type Scenario } from '../whatif/prepareScenarios.js';
import type { CallContext } from './CallContext.js';
import { withPoolPlanner } from './poolPlanner.js';
import type { PlanMethodDeps } from './planOnPool.js';
import { modelSizeViolation, planResponseBytesAtLeast, planTooCostly, responseTooLarge, sizeCompareResponse } from './planCost.js';
import { planRequestSize } from './planRequestSize.js';
import { toCompareProgress } from './toWhatIfProgress.js';

/** The most variants one CompareScenarios call may ask for (the base is planned besides them). */
export const maxVariants = 32;

const count = new Intl.NumberFormat('en-US');

/**
 * CompareScenarios' core: checks the request, then plans the base and every variant on the pool
 * (poolPlanner: parallel over the workers, stopped by a client cancel or the deadline, every other
 * plan stopped when one fails) and returns the rows as compareScenarios does.
 *
 * Checks, before any plan starts: a missing base is the field `base`; more than maxVariants
 * variants is RESOURCE_EXHAUSTED (reason TOO_MANY_VARIANTS, limit `max_variants`); the base and
 * variants are applied and validated by prepareScenarios without a file reader, so a
 * ReplaceForecasts `file` is refused (INVALID_ARGUMENT at `variants[i].overrides[j]...file`);
 * each scenario (the base and each applied variant, whose sites may differ) is counted against
 * `maxCells` (RESOURCE_EXHAUSTED, reason PLAN_TOO_LARGE, limit `max_cells`) and, when set, its model
 * against `maxModelSize` (reason PLAN_TOO_COSTLY, limit `max_model_size`); with `include_plans`,
 * the plans' smallest possible responses together against `maxResponseBytes` (reason
 * RESPONSE_TOO_LARGE, limit `max_response_bytes`) before solving, and the final message with the
 * rows after solving (sizeCompareResponse: estimated, or encoded when near the limit), before it
 * is sent.
 * Log fields: the base's size, the number of variants, and each row's termination.
 *
 * @param onProgress each plan's start and end (plan events are not forwarded).
 * @throws CoschedError as above, or as the pool's plans fail (the message prefixed with the
 *   scenario's name); the call's signal reason when the client left.
 */
export async function compareScenariosOnPool(
  request: CompareScenariosRequest,
  context: CallContext,
  deps: PlanMethodDeps,
  onProgress: (progress: CompareScenariosProgress) => void,
): Promise<VariantResult[]> {
  const { base, variants = [], includePlans } = request;
  Object.assign(context.logFields, planRequestSize(base), { variants: variants.length });
  if (!base) throw CoschedError.invalid([{ field: 'base', description: 'got nothing; expected a PlanRequest' }], 'comparison request');
  if (variants.length > maxVariants) {
    const description = `got ${count.format(variants.length)} variants; this server compares at most ${maxVariants} per call (max_variants)`;
    throw new CoschedError('RESOURCE_EXHAUSTED', `too many variants: ${description}`, {
      reason: 'TOO_MANY_VARIANTS',
      violations: [{ field: 'max_variants', description }],
    });
  }
  const scenarios = prepareScenarios(base, variants);
  checkScenarioSizes(scenarios, deps.maxCells);
  if (deps.maxModelSize !== undefined) {
    const costly = scenarios.flatMap(({ name, problem }) => modelSizeViolation(problem, deps.maxModelSize!, name) ?? []);
    if (costly.length > 0) throw planTooCostly(costly);
  }
  if (includePlans === true && deps.maxResponseBytes !== undefined) {
    const responseBytes = scenarios.reduce((sum, { problem }) => sum + planResponseBytesAtLeast(problem), 0);
    if (responseBytes > deps.maxResponseBytes) throw responseTooLarge(responseBytes, deps.maxResponseBytes, 'before solving');
  }
  const planned = await withPoolPlanner(context, deps, (planner) =>
    planScenarios(scenarios, planner, (progress) => {
      const message = toCompareProgress(progress, context.elapsedMs());
      if (message) onProgress(message);
    }),
  );
  context.logFields.terminations = planned.map((scenario) => scenario.result.termination);
  const rows = toVariantResults(planned, includePlans === true);
  if (includePlans === true && deps.maxResponseBytes !== undefined) {
    const size = sizeCompareResponse(planned, rows, deps.maxResponseBytes);
    if (size.bytes > deps.maxResponseBytes) throw responseTooLarge(size.bytes, deps.maxResponseBytes, size.exact ? 'encoded' : 'after solving');
  }
  return rows;
}

/** RESOURCE_EXHAUSTED naming every scenario over `maxCells` hours × sites × jobs. */
function checkScenarioSizes(scenarios: readonly Scenario[], maxCells: number): void {
  const violations = scenarios.flatMap(({ name, request }) => {
    const size = planRequestSize(request);
    if (size.cells <= maxCells) return [];
    const description = `${name}: ${size.hours} hours × ${size.sites} sites × ${size.jobs} jobs = ${count.format(size.cells)} cells; this server plans at most ${count.format(maxCells)} cells (max_cells)`;
    return [{ field: 'max_cells', description }];
  });
  if (violations.length === 0) return;
  const what = violations.length === 1 ? violations[0].description : `${violations.length} scenarios too large, e.g. ${violations[0].description}`;
  throw new CoschedError('RESOURCE_EXHAUSTED', `plan request too large: ${what}`, { reason: 'PLAN_TOO_LARGE', violations });
}
