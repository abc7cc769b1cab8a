import type { Problem } from '../problem/Problem.js';
import type { JobOutcome, StorageDispatch } from '../plan/PlanResult.js';
import { facilityLoadMw } from '../accounting/facilityLoadMw.js';

/**
 * The baseline's battery operation (README, "Baseline"): the usual carbon-unaware rule of a
 * battery next to wind and solar, self-consumption. Hour by hour, with F the site's facility load
 * under `jobs` (with their transfers' energy): green supply above F charges the battery (up to its power and its room);
 * a shortfall of green supply below F is covered from the battery (up to its power and down to
 * the final minimum state of charge, so that the baseline ends where a plan must end). It never
 * charges from the grid and never looks at carbon intensity or price.
 * Returns one entry per site: the dispatch, or undefined for a site without storage. Pure.
 */
export function dispatchSelfConsumption(problem: Problem, jobs: readonly JobOutcome[]): (StorageDispatch | undefined)[] {
  const facilityMw = facilityLoadMw(problem, jobs);
  return problem.sites.map((site, s) => {
    const battery = site.storage;
    if (!battery) return undefined;
    const dispatch: StorageDispatch = { chargeMw: [], dischargeMw: [] };
    let socMwh = battery.initialMwh;
    for (let t = 0; t < problem.hours; t++) {
      const surplusMw = site.greenSupplyMw[t] - facilityMw[s][t];
      let charge = 0;
      let discharge = 0;
      if (surplusMw > 0) {
        charge = Math.max(0, Math.min(battery.powerMw, surplusMw, (battery.energyMwh - socMwh) / battery.chargeEfficiency));
      } else if (surplusMw < 0) {
        discharge = Math.max(0, Math.min(battery.powerMw, -surplusMw, (socMwh - battery.finalMinMwh) * battery.dischargeEfficiency));
      }
      socMwh += battery.chargeEfficiency * charge - discharge / battery.dischargeEfficiency;
      dispatch.chargeMw.push(charge);
      dispatch.dischargeMw.push(discharge);
    }
    return dispatch;
  });
}
