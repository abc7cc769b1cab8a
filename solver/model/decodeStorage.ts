import type { Problem } from '../problem/Problem.js';
import type { StorageDispatch } from '../plan/PlanResult.js';
import type { BuiltModel } from './buildModel.js';

/** Charge or discharge below this (MW) is solver round-off: zero. */
const zeroTolerance = 1e-9;

/**
 * Reads each site's battery dispatch in forecast scenario `scenario` (0 without scenarios) from a
 * solution vector: per site with storage, charge and discharge per hour (values below 1e-9 MW are
 * zero, none above the battery's power); undefined for sites without. The state of charge is not
 * read: accountSchedule derives it from the dispatch, and the checker verifies it.
 *
 * An hour with both charge and discharge (a tie the LP may pick where green supply is curtailed
 * anyway: cycling through the battery only burns surplus) is netted, for a battery that charges
 * from green supply only, to the one direction that moves the state of charge the same way: the
 * state of charge stays as it was, the charge and the discharge only shrink, so the charge stays
 * within the green supply and grid + discharge within the load. A battery that may charge from
 * the grid keeps both as solved: netting could there push the discharge past the load.
 */
export function decodeStorage(problem: Problem, built: BuiltModel, values: Float64Array, scenario = 0): (StorageDispatch | undefined)[] {
  return problem.sites.map((site, s) => {
    const columns = built.storage[scenario]?.[s];
    const battery = site.storage;
    if (!columns || !battery) return undefined;
    const dispatch: StorageDispatch = { chargeMw: [], dischargeMw: [] };
    for (let t = 0; t < problem.hours; t++) {
      let charge = clean(values[columns.charge[t]], battery.powerMw);
      let discharge = clean(values[columns.discharge[t]], battery.powerMw);
      if (charge > 0 && discharge > 0 && !battery.chargeFromGrid) {
        const socChangeMwh = battery.chargeEfficiency * charge - discharge / battery.dischargeEfficiency;
        charge = socChangeMwh > 0 ? socChangeMwh / battery.chargeEfficiency : 0;
        discharge = socChangeMwh < 0 ? -socChangeMwh * battery.dischargeEfficiency : 0;
      }
      dispatch.chargeMw.push(charge);
      dispatch.dischargeMw.push(discharge);
    }
    return dispatch;
  });
}

function clean(x: number, powerMw: number): number {
  if (!(x > zeroTolerance)) return 0;
  return Math.min(x, powerMw);
}
