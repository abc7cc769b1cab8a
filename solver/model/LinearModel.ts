/**
 * A solver-neutral linear (or mixed-integer) model in named families, minimised.
 *
 * Columns and rows carry readable names such as `gpus(j17,helingeer,h0042)`, valid in CPLEX LP
 * format, so a dumped model can be read by a person and by other solvers. Rows are stored
 * sparsely (CSR): row r has entries rowStart[r] .. rowStart[r+1]-1 in `index`/`value`.
 */
export interface LinearModel {
  /** Column data, one entry per variable. */
  colNames: string[];
  colLower: Float64Array;
  colUpper: Float64Array;
  colCost: Float64Array;
  /** true for integer (binary when bounds are 0..1) columns. */
  colInteger: Uint8Array;
  /** Row data, one entry per constraint: rowLower <= Σ value·x[index] <= rowUpper. */
  rowNames: string[];
  rowLower: Float64Array;
  rowUpper: Float64Array;
  rowStart: Int32Array;
  index: Int32Array;
  value: Float64Array;
  /** Constant added to the objective. */
  objectiveOffset: number;
  /**
   * Optional feasible point of this model, one value per column (see greedyStart). A solver may
   * start from it (HiGHS builds its first simplex basis from it) and may return it when its time
   * limit hits before it has a feasible point of its own; it never changes the optimum, only how
   * fast it is found. Absent when the model has none.
   */
  start?: Float64Array;
  /**
   * Rows that are valid inequalities (cuts, such as buildModel's gridFloor): implied by the other
   * rows at every point whose integer columns are integral, so they change no optimum. With the
   * integers fixed they are redundant; duals are read with them relaxed, so that the duals belong
   * to the model's own rows. Absent when the model has none.
   */
  cutRows?: Int32Array;
}

/** Model size, as reported to users. */
export interface ModelSize {
  variables: number;
  constraints: number;
  integerVariables: number;
  nonzeros: number;
}

/** Counts the model's variables, constraints, integer variables and non-zeros. */
export function modelSize(model: LinearModel): ModelSize {
  let integerVariables = 0;
  for (const flag of model.colInteger) integerVariables += flag;
  return {
    variables: model.colNames.length,
    constraints: model.rowNames.length,
    integerVariables,
    nonzeros: model.index.length,
  };
}
