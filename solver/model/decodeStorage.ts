import type { Problem } from '../problem/Problem.js';
import type { StorageDispatch } from '../plan/PlanResult.js';
import type { BuiltModel } from './buildModel.js';

/** Charge or discharge below this (MW) is solver round-off: zero. */
const zeroTolerance = 1e-9;

/**
 * Reads each site's battery dispatch in forecast scenario `scenario` (0 without scenarios) from a
 * solution vector: per site with storage, charge and
 * discharge per hour as the solver returned them (values below 1e-9 MW are zero, none above the
 * battery's power); undefined for sites without. The state of charge is not read:
 * accountSchedule derives it from the dispatch, and the checker verifies it.
 */
export function decodeStorage(problem: Problem, built: BuiltModel, values: Float64Array, scenario = 0): (StorageDispatch | undefined)[] {
  return problem.sites.map((site, s) => {
    const columns = built.storage[scenario]?.[s];
    const battery = site.storage;
    if (!columns || !battery) return undefined;
    const dispatch: StorageDispatch = { chargeMw: [], dischargeMw: [] };
    for (let t = 0; t < problem.hours; t++) {
      dispatch.chargeMw.push(clean(values[columns.charge[t]], battery.powerMw));
      dispatch.dischargeMw.push(clean(values[columns.discharge[t]], battery.powerMw));
    }
    return dispatch;
  });
}

function clean(x: number, powerMw: number): number {
  if (!(x > zeroTolerance)) return 0;
  return Math.min(x, powerMw);
}
