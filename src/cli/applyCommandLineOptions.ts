import { PlanOptions, Solver, type PlanRequest } from '../generated/cosched/v1/plan_request.js';

const solverEnum = { highs: Solver.SOLVER_HIGHS, jslp: Solver.SOLVER_JSLP } as const;

/**
 * Returns `request` with the command line's `--time-limit` and `--solver` written over the
 * file's `options` (before validation, so the validator stays the one judge of option values).
 * Flags not given leave the file's values alone; `request` itself is not modified.
 */
export function applyCommandLineOptions(request: PlanRequest, command: { timeLimitSeconds?: number; solver?: 'highs' | 'jslp' }): PlanRequest {
  if (command.timeLimitSeconds === undefined && command.solver === undefined) return request;
  const options: PlanOptions = { ...(request.options ?? PlanOptions.create()) };
  if (command.timeLimitSeconds !== undefined) options.timeLimitSeconds = command.timeLimitSeconds;
  if (command.solver !== undefined) options.solver = solverEnum[command.solver];
  return { ...request, options };
}
