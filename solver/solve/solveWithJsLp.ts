import * as jsLpModule from 'javascript-lp-solver';
import type { Model as JsLpModel, SolveResult, VariableCoefficients } from 'javascript-lp-solver';
import type { LinearModel } from '../model/LinearModel.js';
import type { SolveOutcome, SolveRunOptions } from './SolveOutcome.js';
import { jsLpEngineName } from './engineNames.js';
import { solveEmptyModel } from './solveEmptyModel.js';
import { adapterTerminations, jsLpTermination, type Termination } from './terminationTable.js';

type JsLpSolver = (typeof jsLpModule.default)['default'];

// The package ships CommonJS typings but Node's `import` picks its ES build: TypeScript sees the
// solver at `.default.default`, Node puts it at `.default`. Take whichever exists.
const jsLp = ((jsLpModule.default as unknown as { default?: JsLpSolver }).default ?? jsLpModule.default) as unknown as JsLpSolver;

/**
 * The library keeps a dense tableau of (rows + bound rows + 1) × (columns + 1) doubles; beyond
 * this many cells (80 MB) it is no longer a "small instance" and the adapter refuses.
 */
const maxTableauCells = 10_000_000;

/** Key of the objective in javascript-lp-solver's variable objects; row keys start r/lb/ub/fx. */
const objectiveKey = 'objective';

/**
 * Solves an LP with javascript-lp-solver on the main thread: the project's cross-check engine for
 * small instances, not a production solver.
 *
 * Contract:
 * - MILPs are refused with 'solver_error' (solverStatus says why): the library's branch and cut
 *   gives no trustworthy status when its time limit hits. Models whose dense tableau would exceed
 *   10 M cells are refused the same way.
 * - `options.signal` is checked once, just before the solve starts (after yielding to the event
 *   loop, so an abort issued right after the call counts); the solve itself cannot be stopped
 *   and `timeLimitSeconds` does not bound it (the library's timeout only applies to MILPs).
 * - Column bounds become rows (the library knows only x >= 0 or unrestricted): lower 0 is the
 *   library's default, other finite lower bounds are `min` rows (with `unrestricted` when
 *   negative), -inf lower bounds are `unrestricted`, finite upper bounds are `max` rows.
 * - Values come back rounded by the library to 1e-8; the objective is recomputed from them,
 *   offset included. Trivially infeasible data (lower > upper, an empty row that excludes 0) is
 *   reported 'infeasible' without running the library.
 */
export async function solveWithJsLp(model: LinearModel, options: SolveRunOptions): Promise<SolveOutcome> {
  const startedMs = performance.now();
  const solver = jsLpEngineName();
  const outcome = (termination: Termination, solverStatus: string): SolveOutcome => ({
    ...termination,
    mipGap: 0,
    solver,
    solverStatus,
    solveMs: performance.now() - startedMs,
  });

  await new Promise<void>((resolve) => setImmediate(resolve));
  if (options.signal?.aborted) return outcome(adapterTerminations.cancelled, 'cancelled by the caller');

  let integerColumns = 0;
  for (const flag of model.colInteger) integerColumns += flag !== 0 ? 1 : 0;
  if (integerColumns > 0) {
    return outcome(
      adapterTerminations.solverError,
      `refused: javascript-lp-solver is an LP cross-check only, and this model has ${integerColumns} integer columns (its MILP status is not trustworthy under a time limit); use highs`,
    );
  }
  const empty = solveEmptyModel(model, solver);
  if (empty) return empty;

  const converted = toJsLpModel(model);
  if ('infeasibleBecause' in converted) return outcome(adapterTerminations.trivialInfeasible, `not run: ${converted.infeasibleBecause}`);
  const cells = (converted.tableauRows + 1) * (model.colNames.length + 1);
  if (cells > maxTableauCells) {
    return outcome(
      adapterTerminations.solverError,
      `refused: javascript-lp-solver is for small instances; this model needs a ${converted.tableauRows + 1} × ${model.colNames.length + 1} dense tableau (limit ${maxTableauCells} cells); use highs`,
    );
  }

  const result = jsLp.Solve(converted.model) as SolveResult;
  const cycled = (jsLp.lastSolvedModel?.messages ?? []).some((message) => String(message).startsWith('Cycle'));
  const bounded = result.bounded !== false;
  const termination = jsLpTermination({
    feasible: result.feasible,
    bounded,
    isMilp: false,
    hitTimeLimit: false,
    cycled,
    integral: result.isIntegral === true,
  });
  const solverStatus = `feasible: ${result.feasible}, bounded: ${bounded}${cycled ? ', cycle detected' : ''}`;
  if (termination.termination !== 'optimal') return outcome(termination, solverStatus);

  const values = new Float64Array(model.colNames.length);
  let objective = model.objectiveOffset;
  for (let j = 0; j < values.length; j++) {
    const value = result[columnKey(j)];
    values[j] = typeof value === 'number' ? value : 0;
    objective += model.colCost[j] * values[j];
  }
  return { ...outcome(termination, solverStatus), values, objective };
}

type Conversion = { model: JsLpModel; tableauRows: number } | { infeasibleBecause: string };

/** Translates `model` to the library's JSON model; see solveWithJsLp for how bounds map. */
function toJsLpModel(model: LinearModel): Conversion {
  const { colNames, colLower, colUpper, colCost, rowNames, rowLower, rowUpper, rowStart, index, value } = model;
  const constraints: JsLpModel['constraints'] = {};
  const variables: Record<string, VariableCoefficients> = {};
  const unrestricted: Record<string, 1> = {};
  let tableauRows = 0;

  for (let j = 0; j < colNames.length; j++) {
    const key = columnKey(j);
    const coefficients: VariableCoefficients = {};
    if (colCost[j] !== 0) coefficients[objectiveKey] = colCost[j];
    variables[key] = coefficients;
    const lower = colLower[j];
    const upper = colUpper[j];
    if (!(lower <= upper) || lower === Infinity || upper === -Infinity) {
      return { infeasibleBecause: `column ${colNames[j]} has bounds [${lower}, ${upper}]` };
    }
    if (lower < 0) unrestricted[key] = 1;
    if (lower === upper) {
      constraints[`fx${j}`] = { equal: lower };
      coefficients[`fx${j}`] = 1;
      tableauRows += 2;
      continue;
    }
    if (lower !== 0 && lower !== -Infinity) {
      constraints[`lb${j}`] = { min: lower };
      coefficients[`lb${j}`] = 1;
      tableauRows += 1;
    }
    if (upper !== Infinity) {
      constraints[`ub${j}`] = { max: upper };
      coefficients[`ub${j}`] = 1;
      tableauRows += 1;
    }
  }

  for (let r = 0; r < rowNames.length; r++) {
    const lower = rowLower[r];
    const upper = rowUpper[r];
    if (rowStart[r] === rowStart[r + 1]) {
      if (!(lower <= 0 && 0 <= upper)) return { infeasibleBecause: `row ${rowNames[r]} has no entries but needs 0 in [${lower}, ${upper}]` };
      continue;
    }
    if (lower === -Infinity && upper === Infinity) continue;
    const key = `r${r}`;
    if (lower === upper) {
      constraints[key] = { equal: lower };
      tableauRows += 2;
    } else {
      constraints[key] = {
        ...(lower !== -Infinity ? { min: lower } : {}),
        ...(upper !== Infinity ? { max: upper } : {}),
      };
      tableauRows += (lower !== -Infinity ? 1 : 0) + (upper !== Infinity ? 1 : 0);
    }
    for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
      const coefficients = variables[columnKey(index[k])];
      // The library keys coefficients by row, so repeated entries must be summed here.
      coefficients[key] = (coefficients[key] ?? 0) + value[k];
    }
  }

  return {
    model: { optimize: objectiveKey, opType: 'min', constraints, variables, unrestricted },
    tableauRows,
  };
}

/** Synthetic keys: model names could collide with the library's result fields (`feasible`…). */
function columnKey(j: number): string {
  return `c${j}`;
}
