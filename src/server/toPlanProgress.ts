import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import { PlanPhase, type PlanProgress } from '../generated/cosched/v1/co_scheduler_service.js';
import type { PlanSize } from './planRequestSize.js';

const count = new Intl.NumberFormat('en-US');
const quantity = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });

/** The PLAN_PHASE_VALIDATED event: the request passed validation; `size` says how big it is. */
export function validatedProgress(size: PlanSize, elapsedMs: number): PlanProgress {
  return {
    ...emptyProgress(PlanPhase.PLAN_PHASE_VALIDATED, elapsedMs, 0),
    message: `validated: ${size.hours} hours × ${size.sites} sites × ${size.jobs} jobs = ${count.format(size.cells)} cells`,
  };
}

/**
 * A planner event as a PlanProgress message, with a one-line human-readable `message`:
 * model_built → MODEL_BUILT (variables, constraints, integer variables); solver_progress →
 * SOLVER_PROGRESS (incumbent, bound and gap where the solver gave them, else unset: an LP only
 * says it is at work);
 * solved → SOLVED (the stage's termination); checked → CHECKED. `elapsedMs` counts from the
 * start of the call.
 */
export function toPlanProgress(event: PlanEvent, elapsedMs: number): PlanProgress {
  switch (event.kind) {
    case 'model_built':
      return {
        ...emptyProgress(PlanPhase.PLAN_PHASE_MODEL_BUILT, elapsedMs, event.stage),
        variables: event.variables,
        constraints: event.constraints,
        integerVariables: event.integerVariables,
        message: `model built: ${count.format(event.variables)} variables (${count.format(event.integerVariables)} integer), ${count.format(event.constraints)} constraints`,
      };
    case 'solver_progress': {
      const { incumbent, bound, mipGap, elapsedMs: solvingMs } = event.progress;
      const parts = [
        ...(incumbent === undefined ? [] : [`incumbent ${quantity.format(incumbent)}`]),
        ...(bound === undefined ? [] : [`bound ${quantity.format(bound)}`]),
        ...(mipGap === undefined ? [] : [`gap ${quantity.format(100 * mipGap)}%`]),
      ];
      // An LP (or a MILP before its first incumbent) reports only that it is still at work.
      const message = parts.length > 0 ? `solving: ${parts.join(', ')}` : `solving: ${count.format(Math.round(solvingMs))} ms so far`;
      return { ...emptyProgress(PlanPhase.PLAN_PHASE_SOLVER_PROGRESS, elapsedMs, event.stage), incumbent, bound, mipGap, message };
    }
    case 'solved':
      return {
        ...emptyProgress(PlanPhase.PLAN_PHASE_SOLVED, elapsedMs, event.stage),
        message: `stage ${event.stage} solved: ${event.termination} in ${count.format(Math.round(event.solveMs))} ms`,
      };
    case 'checked':
      return {
        ...emptyProgress(PlanPhase.PLAN_PHASE_CHECKED, elapsedMs, 0),
        message: `checked: ${event.passed ? 'passed' : 'FAILED'} (${count.format(event.checks)} checks)`,
      };
  }
}

function emptyProgress(phase: PlanPhase, elapsedMs: number, stage: number): PlanProgress {
  return { phase, message: '', elapsedMs, stage, variables: 0, constraints: 0, integerVariables: 0, incumbent: undefined, bound: undefined, mipGap: undefined };
}
