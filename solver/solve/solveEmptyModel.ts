import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome } from './SolveOutcome.js';
import { adapterTerminations } from './terminationTable.js';

/**
 * Solves a model without columns, which HiGHS refuses to run and javascript-lp-solver mishandles:
 * it is 'optimal' (objective = offset, no values) when every row admits 0, else 'infeasible'.
 * `solver` names the engine that was asked. Returns undefined for a model with columns.
 */
export function solveEmptyModel(model: LinearModel, solver: string): SolveOutcome | undefined {
  if (model.colNames.length > 0) return undefined;
  for (let r = 0; r < model.rowNames.length; r++) {
    if (!(model.rowLower[r] <= 0 && 0 <= model.rowUpper[r])) {
      return {
        ...adapterTerminations.trivialInfeasible,
        mipGap: 0,
        solver,
        solverStatus: `empty model: row ${model.rowNames[r]} needs 0 in [${model.rowLower[r]}, ${model.rowUpper[r]}]`,
        solveMs: 0,
      };
    }
  }
  return {
    ...adapterTerminations.trivialOptimal,
    values: new Float64Array(0),
    objective: model.objectiveOffset,
    mipGap: 0,
    solver,
    solverStatus: 'empty model: nothing to optimise',
    solveMs: 0,
  };
}
