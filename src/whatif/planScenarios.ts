import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { PlanResult } from '../../solver/plan/PlanResult.js';
import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type { Planner } from './Planner.js';
import type { Scenario } from './prepareScenarios.js';

/** Progress of a comparison, for a CLI progress bar and a streaming RPC. `index` is the scenario's row (0 = base). */
export type CompareProgress =
  | { kind: 'started'; name: string; index: number; total: number }
  | { kind: 'plan_event'; name: string; index: number; event: PlanEvent }
  | { kind: 'finished'; name: string; index: number; total: number; finished: number; termination: TerminationCondition; solveMs: number };

/** A scenario and its plan. */
export interface PlannedScenario extends Scenario {
  result: PlanResult;
}

/**
 * Plans every scenario with the same planner, so the same baseline rules and independent checker
 * apply to each, all started at once (Promise.all; the planner's pool bounds the real
 * parallelism). Results are in the order of `scenarios`, whatever order the plans finish in.
 * Progress: `started` when a scenario's plan is requested, its planner events as `plan_event`,
 * `finished` (with how many have finished so far) when its result is in.
 *
 * @throws the first planner error, its message prefixed with the scenario's name (a CoschedError
 *   keeps its code, reason and violations). The other plans are not cancelled here: a caller that
 *   wants that aborts the signal its planner listens to.
 */
export async function planScenarios(scenarios: readonly Scenario[], planner: Planner, onProgress?: (progress: CompareProgress) => void): Promise<PlannedScenario[]> {
  const total = scenarios.length;
  let finished = 0;
  return Promise.all(
    scenarios.map(async (scenario, index) => {
      const { name } = scenario;
      onProgress?.({ kind: 'started', name, index, total });
      let result: PlanResult;
      try {
        result = await planner(scenario.problem, (event) => onProgress?.({ kind: 'plan_event', name, index, event }));
      } catch (error) {
        if (!(error instanceof CoschedError)) throw error;
        throw new CoschedError(error.code, `${name}: ${error.message}`, { violations: error.violations, reason: error.reason, cause: error });
      }
      finished++;
      onProgress?.({ kind: 'finished', name, index, total, finished, termination: result.termination, solveMs: result.solve.solveMs });
      return { ...scenario, result };
    }),
  );
}
