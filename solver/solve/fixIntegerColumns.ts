import type { Model } from 'highs';
import type { LinearModel } from '../model/LinearModel.js';

/**
 * Turns the HiGHS model of `m` into "the LP with the integer solution fixed": every integer column
 * fixed at `round(x[c])`, and the cut rows (LinearModel.cutRows) relaxed to (-∞, ∞). The cuts are
 * implied once the integers are fixed, so the primal optimum is the same, and a dual that belongs
 * to a model row (e.g. powerBalance, the value of green supply) cannot sit on a cut that shadows
 * it. Integrality itself is left to the caller (a relaxation has none to clear).
 */
export function fixIntegerColumns(model: Model, m: LinearModel, x: Float64Array, round: (value: number) => number = Math.round): void {
  const integerCols: number[] = [];
  for (let c = 0; c < m.colInteger.length; c++) if (m.colInteger[c] !== 0) integerCols.push(c);
  const fixed = Float64Array.from(integerCols, (c) => round(x[c]));
  model.changeColsBounds({ kind: 'set', indices: Int32Array.from(integerCols) }, fixed, fixed);
  const cuts = m.cutRows;
  if (cuts && cuts.length > 0) model.changeRowsBounds({ kind: 'set', indices: cuts }, new Float64Array(cuts.length).fill(-Infinity), new Float64Array(cuts.length).fill(Infinity));
}
