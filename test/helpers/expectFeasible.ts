import { expect } from 'vitest';
import type { LinearModel } from '../../solver/model/LinearModel.js';

/**
 * Every bound and row of `model` holds at `x`, to `tolerance` (relative to the bound's or the row's
 * size; default 1e-9), and every integer column is integral (within 1e-6).
 */
export function expectFeasible(model: LinearModel, x: Float64Array, tolerance = 1e-9): void {
  expect(x.length).toBe(model.colNames.length);
  x.forEach((value, c) => {
    expect(value, `${model.colNames[c]} = ${value} below its lower bound ${model.colLower[c]}`).toBeGreaterThanOrEqual(model.colLower[c] - tolerance * Math.max(1, Math.abs(model.colLower[c])));
    expect(value, `${model.colNames[c]} = ${value} above its upper bound ${model.colUpper[c]}`).toBeLessThanOrEqual(model.colUpper[c] + tolerance * Math.max(1, Math.abs(model.colUpper[c])));
    // Integral within HiGHS's mip_feasibility_tolerance (1e-6): branch and cut may return 0.9999999.
    if (model.colInteger[c] !== 0) expect(Math.abs(value - Math.round(value)), `${model.colNames[c]} = ${value} is not integral`).toBeLessThanOrEqual(1e-6);
  });
  model.rowNames.forEach((name, r) => {
    let activity = 0;
    let scale = 1;
    for (let k = model.rowStart[r]; k < model.rowStart[r + 1]; k++) {
      activity += model.value[k] * x[model.index[k]];
      scale = Math.max(scale, Math.abs(model.value[k] * x[model.index[k]]));
    }
    expect(activity, `${name}: ${activity} < ${model.rowLower[r]}`).toBeGreaterThanOrEqual(model.rowLower[r] - tolerance * scale);
    expect(activity, `${name}: ${activity} > ${model.rowUpper[r]}`).toBeLessThanOrEqual(model.rowUpper[r] + tolerance * scale);
  });
}
