import type { Model } from 'highs';
import type { LinearModel } from '../model/LinearModel.js';

/**
 * Relaxes the cut rows of `m` (LinearModel.cutRows) in its HiGHS model to (-∞, ∞), for "the LP
 * with the integer solution fixed": the cuts are implied there, so the primal optimum is the same,
 * and a dual that belongs to a model row (e.g. powerBalance, the value of green supply) cannot sit
 * on a cut that shadows it. Does nothing for a model without cuts.
 */
export function relaxCutRows(model: Model, m: LinearModel): void {
  const cuts = m.cutRows;
  if (!cuts || cuts.length === 0) return;
  model.changeRowsBounds({ kind: 'set', indices: cuts }, new Float64Array(cuts.length).fill(-Infinity), new Float64Array(cuts.length).fill(Infinity));
}
