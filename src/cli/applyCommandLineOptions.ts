import { PlanOptions, Solver, type PlanRequest } from '../generated/cosched/v1/plan_request.js';

const solverEnum = { highs: Solver.SOLVER_HIGHS, jslp: Solver.SOLVER_JSLP } as const;

/**
 * Returns `request` with the command line's `--time-limit`, `--solver`, `--explain` and
 * `--integer-gpus` written over the file's `options` (before validation, so the validator stays
 * the one judge of option values). Flags not given leave the file's values alone
 * (`--integer-gpus` can only turn executable schedules on); `request` itself is not modified.
 */
export function applyCommandLineOptions(
  request: PlanRequest,
  command: { timeLimitSeconds?: number; solver?: 'highs' | 'jslp'; explain?: boolean; integerGpus?: boolean },
): PlanRequest {
  if (command.timeLimitSeconds === undefined && command.solver === undefined && command.explain === undefined && command.integerGpus !== true) return request;
  const options: PlanOptions = { ...(request.options ?? PlanOptions.create()) };
  if (command.timeLimitSeconds !== undefined) options.timeLimitSeconds = command.timeLimitSeconds;
  if (command.solver !== undefined) options.solver = solverEnum[command.solver];
  if (command.explain !== undefined) options.explain = command.explain;
  if (command.integerGpus === true) options.integerGpus = true;
  return { ...request, options };
}
