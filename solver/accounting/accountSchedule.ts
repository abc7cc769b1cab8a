import type { Problem } from '../problem/Problem.js';
import type { EnergyTotals, JobOutcome, Schedule, SiteAccounts } from '../plan/PlanResult.js';

/**
 * The one accounting definition (README, "Accounting"). For site s and hour t:
 *   L = Σ gpus × gpuPowerKw / 1000 (MW); F = pue × (L + baseLoadMw);
 *   green used = min(F, greenSupplyMw); grid = F − green used; curtailed = supply − green used;
 *   emissions (kg) = grid (MWh) × carbonIntensityGPerKwh; cost = grid (MWh) × pricePerMwh.
 * Hours are one hour long, so MW in an hour are MWh. Base load is included in every figure.
 * Pure: the same schedule always gives the same accounts.
 */
export function accountSchedule(problem: Problem, jobs: JobOutcome[]): Schedule {
  const jobLoadMw = problem.sites.map(() => new Array<number>(problem.hours).fill(0));
  for (const outcome of jobs) {
    const powerMw = problem.jobs[outcome.job].gpuPowerKw / 1000;
    for (const run of outcome.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours; t++) jobLoadMw[run.site][t] += run.gpus * powerMw;
    }
  }
  const totals: EnergyTotals = { energyMwh: 0, greenMwh: 0, gridMwh: 0, curtailedMwh: 0, jobItEnergyMwh: 0, emissionsKg: 0, cost: 0 };
  const sites: SiteAccounts[] = problem.sites.map((site, s) => {
    const accounts: SiteAccounts = { jobLoadMw: jobLoadMw[s], facilityMw: [], greenUsedMw: [], gridMw: [], curtailedMw: [], emissionsKg: [], cost: [] };
    for (let t = 0; t < problem.hours; t++) {
      const facility = site.pue * (jobLoadMw[s][t] + site.baseLoadMw[t]);
      const green = Math.min(facility, site.greenSupplyMw[t]);
      const grid = facility - green;
      const emissions = grid * site.carbonIntensityGPerKwh[t];
      const cost = grid * site.pricePerMwh[t];
      accounts.facilityMw.push(facility);
      accounts.greenUsedMw.push(green);
      accounts.gridMw.push(grid);
      accounts.curtailedMw.push(site.greenSupplyMw[t] - green);
      accounts.emissionsKg.push(emissions);
      accounts.cost.push(cost);
      totals.energyMwh += facility;
      totals.greenMwh += green;
      totals.gridMwh += grid;
      totals.curtailedMwh += site.greenSupplyMw[t] - green;
      totals.jobItEnergyMwh += jobLoadMw[s][t];
      totals.emissionsKg += emissions;
      totals.cost += cost;
    }
    return accounts;
  });
  return { jobs, sites, totals };
}
