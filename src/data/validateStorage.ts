import type { StorageData } from '../../solver/problem/Problem.js';
import type { SiteStorage } from '../generated/cosched/v1/storage.js';
import { checkNumber } from './checkNumber.js';
import { describeJsonValue } from './describeJsonValue.js';
import { physicalBounds } from './physicalBounds.js';
import type { ViolationList } from './ViolationList.js';

/** Round-trip efficiency when a request leaves it unset (0). */
export const defaultRoundTripEfficiency = 0.9;

/**
 * Checks a site's `storage` (absent or null: no battery, returns undefined) and converts it to
 * StorageData, adding every violation under `path` (e.g. `sites[2].storage`): energyMwh in
 * (0, 1e7] MWh and powerMw in (0, 1e6] MW (physicalBounds); roundTripEfficiency in (0, 1] (0, i.e. unset,
 * means 0.9); initialMwh in [0, energyMwh]; finalMwhMin, if set, in [0, initialMwh] (a plan may
 * not end fuller than it started: the horizon would be buying the next one's energy, and an idle
 * battery must always be a feasible plan); chargeFromGrid a boolean. The result is meaningful
 * only when no violation was added. Safe on any input.
 */
export function validateStorage(storage: unknown, path: string, violations: ViolationList): StorageData | undefined {
  if (storage === undefined || storage === null) return undefined;
  if (typeof storage !== 'object' || Array.isArray(storage)) {
    violations.add(path, `got ${describeJsonValue(storage)}; expected a storage message (energyMwh, powerMw, roundTripEfficiency, initialMwh, ...)`);
    return undefined;
  }
  const s = storage as Partial<SiteStorage>;
  const energyOk = checkNumber(s.energyMwh, { min: 0, minExclusive: true, max: physicalBounds.maxStorageMwh, unit: 'MWh' }, `${path}.energyMwh`, violations);
  checkNumber(s.powerMw, { min: 0, minExclusive: true, max: physicalBounds.maxPowerMw, unit: 'MW' }, `${path}.powerMw`, violations);
  const rte = s.roundTripEfficiency === undefined || s.roundTripEfficiency === 0 ? defaultRoundTripEfficiency : s.roundTripEfficiency;
  checkNumber(rte, { min: 0, minExclusive: true, max: 1, note: '0 or unset means 0.9' }, `${path}.roundTripEfficiency`, violations);
  const initialMwh = s.initialMwh ?? 0;
  const initialOk = checkNumber(initialMwh, { min: 0, max: energyOk ? (s.energyMwh as number) : physicalBounds.maxStorageMwh, unit: 'MWh (energyMwh)' }, `${path}.initialMwh`, violations);
  const finalSet = s.finalMwhMin !== undefined && s.finalMwhMin !== null;
  if (finalSet) {
    checkNumber(s.finalMwhMin, { min: 0, max: initialOk ? initialMwh : physicalBounds.maxStorageMwh, unit: 'MWh (initialMwh)' }, `${path}.finalMwhMin`, violations);
  }
  const chargeFromGrid = s.chargeFromGrid ?? false;
  if (typeof chargeFromGrid !== 'boolean') violations.add(`${path}.chargeFromGrid`, `got ${describeJsonValue(chargeFromGrid)}; expected true or false`);
  const efficiency = Math.sqrt(typeof rte === 'number' ? rte : 1);
  return {
    energyMwh: s.energyMwh as number,
    powerMw: s.powerMw as number,
    chargeEfficiency: efficiency,
    dischargeEfficiency: efficiency,
    initialMwh: initialMwh as number,
    finalMinMwh: finalSet ? (s.finalMwhMin as number) : (initialMwh as number),
    chargeFromGrid: chargeFromGrid === true,
  };
}
