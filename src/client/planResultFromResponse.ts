import type { EnergyTotals, JobOutcome, PlanResult, ScenarioReport, Schedule, SiteAccounts } from '../../solver/plan/PlanResult.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { Termination, type JobPlan, type PlanResponse, type SiteProfile } from '../generated/cosched/v1/plan_response.js';
import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import { zeroEnergyTotals } from '../../solver/accounting/zeroEnergyTotals.js';
import { RiskMeasure, type ScenarioSummary } from '../generated/cosched/v1/forecast_scenarios.js';
import { explanationFromMessage } from './explanationFromMessage.js';

const msPerHour = 3_600_000;

const terminations = new Map<Termination, TerminationCondition>([
  [Termination.TERMINATION_OPTIMAL, 'optimal'],
  [Termination.TERMINATION_TIME_LIMIT_FEASIBLE, 'time_limit_feasible'],
  [Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION, 'time_limit_no_solution'],
  [Termination.TERMINATION_INFEASIBLE, 'infeasible'],
  [Termination.TERMINATION_UNBOUNDED, 'unbounded'],
  [Termination.TERMINATION_CANCELLED, 'cancelled'],
  [Termination.TERMINATION_SOLVER_ERROR, 'solver_error'],
]);

/**
 * The inverse of toPlanResponse: the PlanResult that `response` (from a server) describes, for
 * `problem` (the same request, validated locally), so that the CLI renders a remote plan with the
 * same report code as a local one.
 *
 * - Timestamps become horizon hours, site ids indices; every number is taken as received.
 * - The plan's schedule is present when the response has site profiles (toPlanResponse leaves
 *   them out when there is no schedule).
 * - What the wire does not carry is rebuilt from what it does, with the accounting's own
 *   arithmetic in its own order, so the values are the server's to the last bit: each site's
 *   hourly cost (grid × price) and the energy totals of plan and baseline (sums over sites, then
 *   hours), including their CFE and annual matching scores and marginal emissions. `status` is read from the termination (ok when optimal or time-limited with a
 *   schedule, error for a solver error, warning otherwise).
 *
 * @throws Error when the response does not fit `problem` (another request's answer): a job or
 *   site missing or unknown.
 */
export function planResultFromResponse(problem: Problem, response: PlanResponse): PlanResult {
  const termination = terminations.get(response.termination) ?? 'solver_error';
  const plan = response.sites.length > 0 ? toSchedule(problem, response.jobs, response.sites) : undefined;
  const baseline = toSchedule(problem, response.baseline?.jobs ?? [], response.baseline?.sites ?? []);
  const summary = response.summary;
  const solve = response.solve;
  const check = response.check;
  return {
    status: termination === 'solver_error' ? 'error' : termination === 'optimal' || (termination === 'time_limit_feasible' && plan) ? 'ok' : 'warning',
    termination,
    plan,
    baseline,
    summary: {
      energyMwh: summary?.energyMwh ?? 0,
      greenMwh: summary?.greenMwh ?? 0,
      gridMwh: summary?.gridMwh ?? 0,
      curtailedMwh: summary?.curtailedMwh ?? 0,
      jobItEnergyMwh: summary?.jobItEnergyMwh ?? 0,
      emissionsKg: summary?.emissionsKg ?? 0,
      cost: summary?.cost ?? 0,
      baselineEmissionsKg: summary?.baselineEmissionsKg ?? 0,
      carbonSavedKg: summary?.carbonSavedKg ?? 0,
      carbonSavedPercent: summary?.carbonSavedPercent ?? 0,
      greenShare: summary?.greenShare ?? 0,
      baselineCost: summary?.baselineCost ?? 0,
      unmetGpuHours: summary?.unmetGpuHours ?? 0,
      doneGpuHours: summary?.doneGpuHours ?? 0,
      baselineUnmetGpuHours: summary?.baselineUnmetGpuHours ?? 0,
      baselineDoneGpuHours: summary?.baselineDoneGpuHours ?? 0,
      baselineMissedDeadlines: summary?.baselineMissedDeadlines ?? 0,
      sameWork: summary?.sameWork ?? false,
      storageChargedMwh: summary?.storageChargedMwh ?? 0,
      storageDischargedMwh: summary?.storageDischargedMwh ?? 0,
      storageLossesMwh: summary?.storageLossesMwh ?? 0,
      marginalEmissionsKg: summary?.marginalEmissionsKg,
      baselineMarginalEmissionsKg: summary?.baselineMarginalEmissionsKg,
      marginalCarbonSavedKg: summary?.marginalCarbonSavedKg,
      cfeScore: summary?.cfeScore ?? 0,
      annualMatchingScore: summary?.annualMatchingScore ?? 0,
      baselineCfeScore: summary?.baselineCfeScore ?? 0,
      baselineAnnualMatchingScore: response.baseline?.annualMatchingScore ?? 0,
      preemptions: summary?.preemptions ?? 0,
      migrations: summary?.migrations ?? 0,
      checkpointGpuHours: summary?.checkpointGpuHours ?? 0,
    },
    solve: {
      solver: solve?.solver ?? '',
      solverStatus: solve?.solverStatus ?? '',
      solveMs: solve?.solveMs ?? 0,
      buildMs: solve?.buildMs ?? 0,
      variables: solve?.variables ?? 0,
      constraints: solve?.constraints ?? 0,
      integerVariables: solve?.integerVariables ?? 0,
      objective: solve?.objective ?? 0,
      mipGap: solve?.mipGap ?? 0,
      stages: solve?.stages ?? 0,
    },
    check: { passed: check?.passed ?? false, checks: check?.checks ?? 0, violations: [...(check?.violations ?? [])] },
    warnings: [...response.warnings],
    ...(response.scenarios ? { scenarios: scenarioReportOf(response.scenarios, plan !== undefined) } : {}),
    ...(response.explanation ? { explanation: explanationFromMessage(problem, response.explanation) } : {}),
  };
}

function toSchedule(problem: Problem, jobPlans: JobPlan[], profiles: SiteProfile[]): Schedule {
  const siteIndex = new Map(problem.sites.map((site, s) => [site.id, s]));
  const jobs: JobOutcome[] = problem.jobs.map((job, j) => {
    const jobPlan = jobPlans[j];
    if (jobPlan?.jobId !== job.id) throw new Error(`the server's answer does not fit this request: job ${j} is ${JSON.stringify(jobPlan?.jobId)}, expected ${JSON.stringify(job.id)}`);
    return {
      job: j,
      runs: jobPlan.allocations.map((allocation) => ({
        site: indexOfSite(siteIndex, allocation.siteId),
        startHour: hourOf(problem, allocation.start),
        hours: allocation.hours,
        gpus: allocation.gpus,
      })),
      doneGpuHours: jobPlan.doneGpuHours,
      unmetGpuHours: jobPlan.unmetGpuHours,
      finishHour: jobPlan.finish ? hourOf(problem, jobPlan.finish) : undefined,
      lateHours: jobPlan.lateHours,
      reason: jobPlan.reason,
      preemptions: jobPlan.preemptions,
      migrations: jobPlan.migrations,
      checkpointGpuHours: jobPlan.checkpointGpuHours,
      ...(jobPlan.transfers.length > 0
        ? {
            transfers: jobPlan.transfers.map((transfer) => ({
              link: indexOfLink(problem, indexOfSite(siteIndex, transfer.fromSiteId), indexOfSite(siteIndex, transfer.toSiteId)),
              startHour: hourOf(problem, transfer.start),
              hours: transfer.hours,
              gbPerHour: transfer.gbPerHour,
            })),
          }
        : {}),
    };
  });
  const sites: SiteAccounts[] = problem.sites.map((site, s) => {
    const profile = profiles[s];
    if (profile?.siteId !== site.id) throw new Error(`the server's answer does not fit this request: site ${s} is ${JSON.stringify(profile?.siteId)}, expected ${JSON.stringify(site.id)}`);
    return {
      jobLoadMw: [...profile.jobLoadMw],
      facilityMw: [...profile.facilityMw],
      greenUsedMw: [...profile.greenUsedMw],
      gridMw: [...profile.gridMw],
      curtailedMw: [...profile.curtailedMw],
      emissionsKg: [...profile.emissionsKg],
      cost: profile.gridMw.map((grid, t) => grid * site.pricePerMwh[t]),
      chargeMw: [...profile.storageChargeMw],
      dischargeMw: [...profile.storageDischargeMw],
      stateOfChargeMwh: [...profile.stateOfChargeMwh],
      cfeServedMw: [...profile.cfeServedMw],
      ...(site.marginalIntensityGPerKwh ? { marginalEmissionsKg: [...profile.marginalEmissionsKg] } : {}),
      cfeScore: profile.cfeScore,
    };
  });
  return { jobs, sites, totals: totalsOf(problem, sites) };
}

/** The accounting's totals, summed in its order (sites, then hours), from the hourly accounts. */
function totalsOf(problem: Problem, sites: SiteAccounts[]): EnergyTotals {
  const hasMarginal = problem.sites.some((site) => site.marginalIntensityGPerKwh !== undefined);
  const totals: EnergyTotals = zeroEnergyTotals(hasMarginal);
  let cfeServedMwh = 0;
  let greenSupplyMwh = 0;
  sites.forEach((accounts, s) => {
    let siteCfeMwh = 0;
    const battery = problem.sites[s].storage;
    if (battery && accounts.stateOfChargeMwh.length === problem.hours) {
      let chargedMwh = 0;
      let dischargedMwh = 0;
      for (let t = 0; t < problem.hours; t++) {
        chargedMwh += accounts.chargeMw[t];
        dischargedMwh += accounts.dischargeMw[t];
      }
      totals.storageChargedMwh += chargedMwh;
      totals.storageDischargedMwh += dischargedMwh;
      totals.storageLossesMwh += chargedMwh - dischargedMwh - (accounts.stateOfChargeMwh[problem.hours - 1] - battery.initialMwh);
    }
    for (let t = 0; t < problem.hours; t++) {
      siteCfeMwh += accounts.cfeServedMw[t];
      greenSupplyMwh += problem.sites[s].greenSupplyMw[t];
      if (accounts.marginalEmissionsKg) totals.marginalEmissionsKg = (totals.marginalEmissionsKg ?? 0) + accounts.marginalEmissionsKg[t];
      totals.energyMwh += accounts.facilityMw[t];
      totals.greenMwh += accounts.greenUsedMw[t];
      totals.gridMwh += accounts.gridMw[t];
      totals.curtailedMwh += accounts.curtailedMw[t];
      totals.jobItEnergyMwh += accounts.jobLoadMw[t];
      totals.emissionsKg += accounts.emissionsKg[t];
      totals.cost += accounts.cost[t];
    }
    cfeServedMwh += siteCfeMwh;
  });
  totals.cfeScore = totals.energyMwh > 0 ? cfeServedMwh / totals.energyMwh : 0;
  totals.annualMatchingScore = totals.energyMwh > 0 ? Math.min(1, greenSupplyMwh / totals.energyMwh) : 0;
  return totals;
}

function hourOf(problem: Problem, timestamp: Timestamp | undefined): number {
  const ms = (timestamp?.seconds ?? 0) * 1000 + (timestamp?.nanos ?? 0) / 1_000_000;
  return (ms - problem.horizonStartMs) / msPerHour;
}

function indexOfSite(siteIndex: Map<string, number>, id: string): number {
  const s = siteIndex.get(id);
  if (s === undefined) throw new Error(`the server's answer does not fit this request: unknown site ${JSON.stringify(id)}`);
  return s;
}

const riskMeasureOf: Record<number, ScenarioReport['riskMeasure']> = {
  [RiskMeasure.RISK_MEASURE_WORST_CASE]: 'worst',
  [RiskMeasure.RISK_MEASURE_CVAR]: 'cvar',
};

/**
 * The scenario report as the response carries it: per scenario only the totals the response has
 * (emissions, green, grid, curtailed, cost), in schedules without jobs or hourly accounts.
 */
function scenarioReportOf(summary: ScenarioSummary, hasPlan: boolean): ScenarioReport {
  const totals = (figures: Partial<EnergyTotals>): Schedule => ({
    jobs: [],
    sites: [],
    totals: { ...zeroEnergyTotals(), ...figures },
  });
  return {
    riskMeasure: riskMeasureOf[summary.riskMeasure] ?? 'expected',
    cvarAlpha: summary.cvarAlpha,
    outcomes: summary.scenarios.map((scenario) => ({
      name: scenario.name,
      probability: scenario.probability,
      plan: hasPlan
        ? totals({ emissionsKg: scenario.emissionsKg, greenMwh: scenario.greenMwh, gridMwh: scenario.gridMwh, curtailedMwh: scenario.curtailedMwh, cost: scenario.cost })
        : undefined,
      baseline: totals({ emissionsKg: scenario.baselineEmissionsKg, cost: scenario.baselineCost }),
    })),
    expectedEmissionsKg: summary.expectedEmissionsKg,
    baselineExpectedEmissionsKg: summary.baselineExpectedEmissionsKg,
    worstEmissionsKg: summary.worstEmissionsKg,
    baselineWorstEmissionsKg: summary.baselineWorstEmissionsKg,
    cvarEmissionsKg: summary.cvarEmissionsKg,
    baselineCvarEmissionsKg: summary.baselineCvarEmissionsKg,
    cvarLevel: summary.cvarLevel,
  };
}

/** The index of the problem's link from site `from` to site `to`; throws when there is none. */
function indexOfLink(problem: Problem, from: number, to: number): number {
  const l = (problem.links ?? []).findIndex((link) => link.fromSite === from && link.toSite === to);
  if (l < 0) throw new Error(`the server's answer does not fit this request: a transfer on a link ${problem.sites[from]?.id} -> ${problem.sites[to]?.id} that the request does not have`);
  return l;
}
