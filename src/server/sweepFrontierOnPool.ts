import type { SweepFrontierProgress, SweepFrontierRequest } from '../generated/cosched/v1/co_scheduler_service.js';
import { defaultFrontierPoints, sweepFrontier, type Frontier } from '../whatif/sweepFrontier.js';
import type { CallContext } from './CallContext.js';
import { withPoolPlanner } from './poolPlanner.js';
import type { PlanMethodDeps } from './planOnPool.js';
import { planRequestSize } from './planRequestSize.js';
import { preparePlan } from './preparePlan.js';
import { toFrontierProgress } from './toWhatIfProgress.js';

/**
 * SweepFrontier's core: validates and size-checks the request as Plan does (preparePlan; its own
 * objective is ignored, as the sweep sets one), then sweeps the carbon-versus-cost weight with
 * sweepFrontier, each plan on the pool (poolPlanner: stopped by a client cancel or the deadline,
 * the others stopped when one fails). `points` 0 means the default (8); otherwise sweepFrontier
 * checks it (2..100, INVALID_ARGUMENT on `points`).
 * Log fields: the request's size, the points asked for, the plans solved and the points found.
 *
 * @throws what preparePlan, sweepFrontier and the pool throw; the call's signal reason when the client left.
 */
export async function sweepFrontierOnPool(
  request: SweepFrontierRequest,
  context: CallContext,
  deps: PlanMethodDeps,
  onProgress: (progress: SweepFrontierProgress) => void,
): Promise<Frontier> {
  const points = request.points === 0 ? defaultFrontierPoints : request.points;
  Object.assign(context.logFields, planRequestSize(request.request), { points });
  preparePlan(request.request && { ...request.request, objective: undefined }, { maxCells: deps.maxCells, maxModelSize: deps.maxModelSize });
  const counts = { started: 0, finished: 0 };
  const frontier = await withPoolPlanner(context, deps, (planner) =>
    sweepFrontier(request.request!, planner, {
      points,
      onProgress: (progress) => onProgress(toFrontierProgress(progress, counts, context.elapsedMs())),
    }),
  );
  Object.assign(context.logFields, { plans: counts.finished, frontierPoints: frontier.points.length });
  return frontier;
}
