import type { EnergyTotals, Schedule, SiteAccounts } from '../plan/PlanResult.js';

/** The hourly arrays every site's accounts have. */
type HourlyKey = 'jobLoadMw' | 'facilityMw' | 'greenUsedMw' | 'gridMw' | 'curtailedMw' | 'emissionsKg' | 'cost' | 'chargeMw' | 'dischargeMw' | 'stateOfChargeMwh' | 'cfeServedMw';

/**
 * The probability-weighted mean of the same jobs' schedules in several forecast scenarios: every
 * hourly account and total is Σ_k p_k·(its value in scenario k); the jobs are the first
 * schedule's (they are the same in every scenario). Storage and marginal arrays are averaged
 * where the site has them; CFE scores are the expected scores. Pure. `schedules` is non-empty and as long as `probabilities`.
 */
export function expectedSchedule(schedules: readonly Schedule[], probabilities: readonly number[]): Schedule {
  const first = schedules[0];
  const mean = (pick: (schedule: Schedule) => number[]): number[] => {
    const out = pick(first).map(() => 0);
    schedules.forEach((schedule, k) => pick(schedule).forEach((x, t) => (out[t] += probabilities[k] * x)));
    return out;
  };
  const sites: SiteAccounts[] = first.sites.map((firstSite, s) => {
    const site = (key: HourlyKey) => mean((schedule) => schedule.sites[s][key]);
    return {
      jobLoadMw: site('jobLoadMw'),
      facilityMw: site('facilityMw'),
      greenUsedMw: site('greenUsedMw'),
      gridMw: site('gridMw'),
      curtailedMw: site('curtailedMw'),
      emissionsKg: site('emissionsKg'),
      cost: site('cost'),
      chargeMw: site('chargeMw'),
      dischargeMw: site('dischargeMw'),
      stateOfChargeMwh: site('stateOfChargeMwh'),
      cfeServedMw: site('cfeServedMw'),
      ...(firstSite.marginalEmissionsKg ? { marginalEmissionsKg: mean((schedule) => schedule.sites[s].marginalEmissionsKg ?? []) } : {}),
      cfeScore: schedules.reduce((sum, schedule, k) => sum + probabilities[k] * schedule.sites[s].cfeScore, 0),
    };
  });
  const totals = Object.fromEntries(
    (Object.keys(first.totals) as (keyof EnergyTotals)[]).map((key) => [key, schedules.reduce((sum, schedule, k) => sum + probabilities[k] * (schedule.totals[key] ?? 0), 0)]),
  ) as unknown as EnergyTotals;
  return { jobs: first.jobs, sites, totals };
}
