import type { EnergyTotals } from '../plan/PlanResult.js';

/**
 * Energy totals of nothing: every figure 0, and marginal emissions 0 when `withMarginal` (a
 * problem with a marginal signal), absent otherwise. The start of a sum, or the totals of no
 * schedule. A new object on every call.
 */
export function zeroEnergyTotals(withMarginal = false): EnergyTotals {
  return {
    energyMwh: 0,
    greenMwh: 0,
    gridMwh: 0,
    curtailedMwh: 0,
    jobItEnergyMwh: 0,
    emissionsKg: 0,
    cost: 0,
    storageChargedMwh: 0,
    storageDischargedMwh: 0,
    storageLossesMwh: 0,
    ...(withMarginal ? { marginalEmissionsKg: 0 } : {}),
    cfeScore: 0,
    annualMatchingScore: 0,
  };
}
