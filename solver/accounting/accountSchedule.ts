import type { Problem } from '../problem/Problem.js';
import type { EnergyTotals, JobOutcome, Schedule, SiteAccounts, StorageDispatch } from '../plan/PlanResult.js';

/**
 * The one accounting definition (README, "Accounting"). For site s and hour t:
 *   L = Σ gpus × gpuPowerKw / 1000 (MW); F = pue × (L + baseLoadMw);
 *   with a battery charging c and discharging d (MW at the bus; 0 without storage), the site
 *   draws N = F + c − d; green used = min(N, greenSupplyMw); grid = N − green used;
 *   curtailed = supply − green used;
 *   emissions (kg) = grid (MWh) × carbonIntensityGPerKwh; cost = grid (MWh) × pricePerMwh.
 *   State of charge: soc[t] = soc[t−1] + chargeEfficiency·c − d / dischargeEfficiency, from the
 *   initial state; storage losses = Σ c − Σ d − (soc[H−1] − initial).
 * Hours are one hour long, so MW in an hour are MWh. Base load is included in every figure.
 * `storage[s]` is the dispatch of site s's battery; a site with storage but no dispatch keeps its
 * battery idle. Pure: the same schedule always gives the same accounts.
 */
export function accountSchedule(problem: Problem, jobs: JobOutcome[], storage: readonly (StorageDispatch | undefined)[] = []): Schedule {
  const jobLoadMw = problem.sites.map(() => new Array<number>(problem.hours).fill(0));
  for (const outcome of jobs) {
    const powerMw = problem.jobs[outcome.job].gpuPowerKw / 1000;
    for (const run of outcome.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours; t++) jobLoadMw[run.site][t] += run.gpus * powerMw;
    }
  }
  const totals: EnergyTotals = {
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
  };
  const sites: SiteAccounts[] = problem.sites.map((site, s) => {
    const accounts: SiteAccounts = {
      jobLoadMw: jobLoadMw[s],
      facilityMw: [],
      greenUsedMw: [],
      gridMw: [],
      curtailedMw: [],
      emissionsKg: [],
      cost: [],
      chargeMw: [],
      dischargeMw: [],
      stateOfChargeMwh: [],
    };
    const battery = site.storage;
    const dispatch = battery ? storage[s] : undefined;
    let socMwh = battery?.initialMwh ?? 0;
    for (let t = 0; t < problem.hours; t++) {
      const facility = site.pue * (jobLoadMw[s][t] + site.baseLoadMw[t]);
      const charge = dispatch?.chargeMw[t] ?? 0;
      const discharge = dispatch?.dischargeMw[t] ?? 0;
      const drawn = Math.max(0, facility + charge - discharge);
      const green = Math.min(drawn, site.greenSupplyMw[t]);
      const grid = drawn - green;
      const emissions = grid * site.carbonIntensityGPerKwh[t];
      const cost = grid * site.pricePerMwh[t];
      accounts.facilityMw.push(facility);
      accounts.greenUsedMw.push(green);
      accounts.gridMw.push(grid);
      accounts.curtailedMw.push(site.greenSupplyMw[t] - green);
      accounts.emissionsKg.push(emissions);
      accounts.cost.push(cost);
      if (battery) {
        socMwh += battery.chargeEfficiency * charge - discharge / battery.dischargeEfficiency;
        accounts.chargeMw.push(charge);
        accounts.dischargeMw.push(discharge);
        accounts.stateOfChargeMwh.push(socMwh);
        totals.storageChargedMwh += charge;
        totals.storageDischargedMwh += discharge;
      }
      totals.energyMwh += facility;
      totals.greenMwh += green;
      totals.gridMwh += grid;
      totals.curtailedMwh += site.greenSupplyMw[t] - green;
      totals.jobItEnergyMwh += jobLoadMw[s][t];
      totals.emissionsKg += emissions;
      totals.cost += cost;
    }
    if (battery) {
      const chargedMwh = accounts.chargeMw.reduce((a, b) => a + b, 0);
      const dischargedMwh = accounts.dischargeMw.reduce((a, b) => a + b, 0);
      totals.storageLossesMwh += chargedMwh - dischargedMwh - (socMwh - battery.initialMwh);
    }
    return accounts;
  });
  return { jobs, sites, totals };
}
