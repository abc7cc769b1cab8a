import type { Problem } from '../problem/Problem.js';
import { jobItLoadMw } from './facilityLoadMw.js';
import { transferLoadMw } from './transferLoadMw.js';
import { zeroEnergyTotals } from './zeroEnergyTotals.js';
import type { EnergyTotals, JobOutcome, Schedule, SiteAccounts, StorageDispatch } from '../plan/PlanResult.js';

/**
 * The one accounting definition (README, "Accounting"). For site s and hour t:
 *   L = Σ gpus × gpuPowerKw / 1000 (MW); X = Σ over the jobs' transfers sent from s in hour t of
 *   GB × energyKwhPerGb / 1000 (MW, the links' energy at the sending site's meter);
 *   F = pue × (L + baseLoadMw) + X;
 *   with a battery charging c and discharging d (MW at the bus; 0 without storage), the site
 *   draws N = F + c − d; green used = min(N, greenSupplyMw); grid = N − green used;
 *   curtailed = supply − green used;
 *   emissions (kg) = grid (MWh) × carbonIntensityGPerKwh; cost = grid (MWh) × pricePerMwh;
 *   marginal emissions (kg) = grid (MWh) × marginalIntensityGPerKwh, only when a signal is given;
 *   cfeServed (carbon-free energy serving the load): the battery's discharge serves the load
 *   first (up to F), then green supply, then the grid; what charges the battery comes from the
 *   green supply left, then the grid. cfeServed = green to load + discharge to load × the
 *   battery's clean share, the share of its stored energy that came from green supply (a ledger:
 *   green charge adds √η·c to the clean energy, a discharge takes its share out; the initial
 *   state counts as clean for a battery that charges from green supply only, as grid energy for
 *   one that may charge from the grid). Without storage, and for a green-only battery, this is
 *   F − min(grid, F).
 *   State of charge: soc[t] = soc[t−1] + chargeEfficiency·c − d / dischargeEfficiency, from the
 *   initial state; storage losses = Σ c − Σ d − (soc[H−1] − initial).
 * Scores over the schedule: cfeScore = Σ_{s,t} cfeServed / Σ_{s,t} F (hourly, 24/7 matching),
 * per site the same over t; annualMatchingScore = min(1, Σ_{s,t} greenSupplyMw / Σ_{s,t} F)
 * (volumetric matching over the horizon); both 0 when F sums to 0.
 * Hours are one hour long, so MW in an hour are MWh. Base load is included in every figure.
 * `storage[s]` is the dispatch of site s's battery; a site with storage but no dispatch keeps its
 * battery idle. Pure: the same schedule always gives the same accounts.
 */
export function accountSchedule(problem: Problem, jobs: JobOutcome[], storage: readonly (StorageDispatch | undefined)[] = []): Schedule {
  const jobLoadMw = jobItLoadMw(problem, jobs);
  const transferMw = transferLoadMw(problem, jobs);
  const hasMarginal = problem.sites.some((site) => site.marginalIntensityGPerKwh !== undefined);
  const totals: EnergyTotals = zeroEnergyTotals(hasMarginal);
  let cfeServedMwh = 0;
  let greenSupplyMwh = 0;
  const sites: SiteAccounts[] = problem.sites.map((site, s) => {
    const marginal = site.marginalIntensityGPerKwh;
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
      cfeServedMw: [],
      ...(marginal ? { marginalEmissionsKg: [] } : {}),
      cfeScore: 0,
    };
    const battery = site.storage;
    const dispatch = battery ? storage[s] : undefined;
    let socMwh = battery?.initialMwh ?? 0;
    let cleanMwh = battery && !battery.chargeFromGrid ? battery.initialMwh : 0;
    let siteEnergyMwh = 0;
    let siteCfeMwh = 0;
    for (let t = 0; t < problem.hours; t++) {
      const facility = site.pue * (jobLoadMw[s][t] + site.baseLoadMw[t]) + transferMw[s][t];
      const charge = dispatch?.chargeMw[t] ?? 0;
      const discharge = dispatch?.dischargeMw[t] ?? 0;
      const drawn = Math.max(0, facility + charge - discharge);
      const green = Math.min(drawn, site.greenSupplyMw[t]);
      const grid = drawn - green;
      const emissions = grid * site.carbonIntensityGPerKwh[t];
      const cost = grid * site.pricePerMwh[t];
      const dischargeToLoad = Math.min(discharge, facility);
      const greenToLoad = Math.min(site.greenSupplyMw[t], facility - dischargeToLoad);
      const greenToCharge = Math.min(charge, site.greenSupplyMw[t] - greenToLoad);
      const cleanShare = socMwh > 0 ? Math.min(1, cleanMwh / socMwh) : 0;
      const cfeServed = greenToLoad + dischargeToLoad * cleanShare;
      accounts.facilityMw.push(facility);
      accounts.greenUsedMw.push(green);
      accounts.gridMw.push(grid);
      accounts.curtailedMw.push(site.greenSupplyMw[t] - green);
      accounts.emissionsKg.push(emissions);
      accounts.cost.push(cost);
      if (battery) {
        cleanMwh = Math.max(0, cleanMwh - (discharge / battery.dischargeEfficiency) * cleanShare + battery.chargeEfficiency * greenToCharge);
        socMwh += battery.chargeEfficiency * charge - discharge / battery.dischargeEfficiency;
        accounts.chargeMw.push(charge);
        accounts.dischargeMw.push(discharge);
        accounts.stateOfChargeMwh.push(socMwh);
        totals.storageChargedMwh += charge;
        totals.storageDischargedMwh += discharge;
      }
      accounts.cfeServedMw.push(cfeServed);
      if (marginal) {
        const marginalKg = grid * marginal[t];
        accounts.marginalEmissionsKg?.push(marginalKg);
        totals.marginalEmissionsKg = (totals.marginalEmissionsKg ?? 0) + marginalKg;
      }
      siteEnergyMwh += facility;
      siteCfeMwh += cfeServed;
      greenSupplyMwh += site.greenSupplyMw[t];
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
    cfeServedMwh += siteCfeMwh;
    accounts.cfeScore = siteEnergyMwh > 0 ? siteCfeMwh / siteEnergyMwh : 0;
    return accounts;
  });
  totals.cfeScore = totals.energyMwh > 0 ? cfeServedMwh / totals.energyMwh : 0;
  totals.annualMatchingScore = totals.energyMwh > 0 ? Math.min(1, greenSupplyMwh / totals.energyMwh) : 0;
  return { jobs, sites, totals };
}
