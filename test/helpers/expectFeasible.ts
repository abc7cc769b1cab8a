import { expect } from 'vitest';
import type { LinearModel } from '../../solver/model/LinearModel.js';

/** Every bound and row of `model` holds at `x`, to 1e-9 (relative to the row's size). */
export function expectFeasible(model: LinearModel, x: Float64Array): void {
  expect(x.length).toBe(model.colNames.length);
  x.forEach((value, c) => {
    expect(value, `${model.colNames[c]} = ${value} below its lower bound ${model.colLower[c]}`).toBeGreaterThanOrEqual(model.colLower[c] - 1e-9);
    expect(value, `${model.colNames[c]} = ${value} above its upper bound ${model.colUpper[c]}`).toBeLessThanOrEqual(model.colUpper[c] + 1e-9);
  });
  model.rowNames.forEach((name, r) => {
    let activity = 0;
    let scale = 1;
    for (let k = model.rowStart[r]; k < model.rowStart[r + 1]; k++) {
      activity += model.value[k] * x[model.index[k]];
      scale = Math.max(scale, Math.abs(model.value[k] * x[model.index[k]]));
    }
    expect(activity, `${name}: ${activity} < ${model.rowLower[r]}`).toBeGreaterThanOrEqual(model.rowLower[r] - 1e-9 * scale);
    expect(activity, `${name}: ${activity} > ${model.rowUpper[r]}`).toBeLessThanOrEqual(model.rowUpper[r] + 1e-9 * scale);
  });
}
