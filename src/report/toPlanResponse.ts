import type { Problem } from '../../solver/problem/Problem.js';
import type { JobOutcome, PlanResult, Run, ScenarioReport, Schedule, SiteAccounts, Transfer } from '../../solver/plan/PlanResult.js';
import type { TerminationCondition } from '../../solver/solve/SolveOutcome.js';
import { hourToMs } from '../../solver/problem/formatHour.js';
import {
  PlanResponse,
  Termination,
  type Allocation,
  type BaselinePlan,
  type JobPlan,
  type SiteProfile,
} from '../generated/cosched/v1/plan_response.js';
import type { Timestamp } from '../generated/google/protobuf/timestamp.js';
import type { Transfer as TransferMessage } from '../generated/cosched/v1/links.js';
import { RiskMeasure, type ScenarioSummary } from '../generated/cosched/v1/forecast_scenarios.js';
import { toExplanationMessage } from './toExplanationMessage.js';

const terminationToProto: Record<TerminationCondition, Termination> = {
  optimal: Termination.TERMINATION_OPTIMAL,
  time_limit_feasible: Termination.TERMINATION_TIME_LIMIT_FEASIBLE,
  time_limit_no_solution: Termination.TERMINATION_TIME_LIMIT_NO_SOLUTION,
  infeasible: Termination.TERMINATION_INFEASIBLE,
  unbounded: Termination.TERMINATION_UNBOUNDED,
  cancelled: Termination.TERMINATION_CANCELLED,
  solver_error: Termination.TERMINATION_SOLVER_ERROR,
};

/**
 * Maps the core's PlanResult onto the wire message, mechanically:
 * - horizon hours become Timestamps at the start of that hour (`finish` is the start of the hour
 *   after the last hour with work, i.e. the end of that hour);
 * - site and job indices become ids; jobs and sites are in request order;
 * - the termination condition becomes its `TERMINATION_*` value;
 * - every number is copied from `result` as it is (the independent checker has verified them);
 *   nothing is recomputed or rounded.
 * Edge case: when there is no schedule (e.g. the time limit hit before any was found), `jobs`
 * still lists every job, with no allocations, all its work unmet and a reason naming the
 * termination, and `sites` is empty (there are no accounts to show).
 */
export function toPlanResponse(problem: Problem, result: PlanResult): PlanResponse {
  const plan = result.plan;
  return {
    termination: terminationToProto[result.termination] ?? Termination.UNRECOGNIZED,
    jobs: plan ? toJobPlans(problem, plan) : problem.jobs.map((job) => noScheduleJobPlan(job.id, job.gpuHours, result.termination)),
    sites: plan ? toSiteProfiles(problem, plan.sites) : [],
    summary: {
      energyMwh: result.summary.energyMwh,
      greenMwh: result.summary.greenMwh,
      gridMwh: result.summary.gridMwh,
      emissionsKg: result.summary.emissionsKg,
      baselineEmissionsKg: result.summary.baselineEmissionsKg,
      carbonSavedKg: result.summary.carbonSavedKg,
      carbonSavedPercent: result.summary.carbonSavedPercent,
      greenShare: result.summary.greenShare,
      cost: result.summary.cost,
      baselineCost: result.summary.baselineCost,
      unmetGpuHours: result.summary.unmetGpuHours,
      baselineUnmetGpuHours: result.summary.baselineUnmetGpuHours,
      baselineMissedDeadlines: result.summary.baselineMissedDeadlines,
      jobItEnergyMwh: result.summary.jobItEnergyMwh,
      curtailedMwh: result.summary.curtailedMwh,
      doneGpuHours: result.summary.doneGpuHours,
      baselineDoneGpuHours: result.summary.baselineDoneGpuHours,
      sameWork: result.summary.sameWork,
      storageChargedMwh: result.summary.storageChargedMwh,
      storageDischargedMwh: result.summary.storageDischargedMwh,
      storageLossesMwh: result.summary.storageLossesMwh,
      marginalEmissionsKg: result.summary.marginalEmissionsKg,
      baselineMarginalEmissionsKg: result.summary.baselineMarginalEmissionsKg,
      marginalCarbonSavedKg: result.summary.marginalCarbonSavedKg,
      cfeScore: result.summary.cfeScore,
      baselineCfeScore: result.summary.baselineCfeScore,
      annualMatchingScore: result.summary.annualMatchingScore,
      preemptions: result.summary.preemptions ?? 0,
      migrations: result.summary.migrations ?? 0,
      checkpointGpuHours: result.summary.checkpointGpuHours ?? 0,
    },
    solve: {
      solver: result.solve.solver,
      solveMs: result.solve.solveMs,
      variables: result.solve.variables,
      constraints: result.solve.constraints,
      objective: result.solve.objective,
      mipGap: result.solve.mipGap,
      integerVariables: result.solve.integerVariables,
      buildMs: result.solve.buildMs,
      solverStatus: result.solve.solverStatus,
      stages: result.solve.stages,
    },
    baseline: toBaselinePlan(problem, result.baseline),
    check: { passed: result.check.passed, checks: result.check.checks, violations: [...result.check.violations] },
    warnings: [...result.warnings],
    scenarios: result.scenarios ? toScenarioSummary(result.scenarios) : undefined,
    explanation: result.explanation ? toExplanationMessage(problem, result.explanation) : undefined,
  };
}

const riskMeasureToProto: Record<ScenarioReport['riskMeasure'], RiskMeasure> = {
  expected: RiskMeasure.RISK_MEASURE_EXPECTED,
  worst: RiskMeasure.RISK_MEASURE_WORST_CASE,
  cvar: RiskMeasure.RISK_MEASURE_CVAR,
};

function toScenarioSummary(report: ScenarioReport): ScenarioSummary {
  return {
    riskMeasure: riskMeasureToProto[report.riskMeasure],
    cvarAlpha: report.cvarAlpha,
    scenarios: report.outcomes.map((outcome) => ({
      name: outcome.name,
      probability: outcome.probability,
      emissionsKg: outcome.plan?.totals.emissionsKg ?? 0,
      baselineEmissionsKg: outcome.baseline.totals.emissionsKg,
      carbonSavedKg: outcome.plan ? outcome.baseline.totals.emissionsKg - outcome.plan.totals.emissionsKg : 0,
      greenMwh: outcome.plan?.totals.greenMwh ?? 0,
      gridMwh: outcome.plan?.totals.gridMwh ?? 0,
      curtailedMwh: outcome.plan?.totals.curtailedMwh ?? 0,
      cost: outcome.plan?.totals.cost ?? 0,
      baselineCost: outcome.baseline.totals.cost,
    })),
    expectedEmissionsKg: report.expectedEmissionsKg,
    baselineExpectedEmissionsKg: report.baselineExpectedEmissionsKg,
    worstEmissionsKg: report.worstEmissionsKg,
    baselineWorstEmissionsKg: report.baselineWorstEmissionsKg,
    cvarEmissionsKg: report.cvarEmissionsKg,
    baselineCvarEmissionsKg: report.baselineCvarEmissionsKg,
    cvarLevel: report.cvarLevel,
  };
}

/**
 * The proto3 JSON form of `response` (ts-proto's `PlanResponse.toJSON`): lowerCamelCase names,
 * Timestamps as RFC 3339 strings, enums by name, fields at their default value omitted.
 * Pass it to `JSON.stringify`; `PlanResponse.fromJSON` reads it back.
 */
export function planResponseToJson(response: PlanResponse): unknown {
  return PlanResponse.toJSON(response);
}

/** Start of horizon hour `hour` as a Timestamp. */
export function hourToTimestamp(problem: Problem, hour: number): Timestamp {
  const ms = hourToMs(problem, hour);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

function toJobPlans(problem: Problem, schedule: Schedule): JobPlan[] {
  const byJob = new Map<number, JobOutcome>(schedule.jobs.map((outcome) => [outcome.job, outcome]));
  return problem.jobs.map((job, j) => {
    const outcome = byJob.get(j);
    if (!outcome) throw new Error(`PlanResult has no outcome for job ${j} (${job.id})`);
    return {
      jobId: job.id,
      allocations: outcome.runs.map((run) => toAllocation(problem, run)),
      finish: outcome.finishHour === undefined ? undefined : hourToTimestamp(problem, outcome.finishHour),
      unmetGpuHours: outcome.unmetGpuHours,
      reason: outcome.reason,
      doneGpuHours: outcome.doneGpuHours,
      lateHours: outcome.lateHours,
      preemptions: outcome.preemptions ?? 0,
      migrations: outcome.migrations ?? 0,
      checkpointGpuHours: outcome.checkpointGpuHours ?? 0,
      transfers: (outcome.transfers ?? []).map((transfer) => toTransfer(problem, transfer)),
    };
  });
}

function toTransfer(problem: Problem, transfer: Transfer): TransferMessage {
  const link = (problem.links ?? [])[transfer.link];
  return {
    fromSiteId: problem.sites[link.fromSite].id,
    toSiteId: problem.sites[link.toSite].id,
    start: hourToTimestamp(problem, transfer.startHour),
    hours: transfer.hours,
    gbPerHour: transfer.gbPerHour,
  };
}

function toAllocation(problem: Problem, run: Run): Allocation {
  return { siteId: problem.sites[run.site].id, start: hourToTimestamp(problem, run.startHour), hours: run.hours, gpus: run.gpus };
}

function toSiteProfiles(problem: Problem, accounts: SiteAccounts[]): SiteProfile[] {
  return problem.sites.map((site, s) => ({
    siteId: site.id,
    jobLoadMw: [...accounts[s].jobLoadMw],
    greenUsedMw: [...accounts[s].greenUsedMw],
    gridMw: [...accounts[s].gridMw],
    curtailedMw: [...accounts[s].curtailedMw],
    emissionsKg: [...accounts[s].emissionsKg],
    facilityMw: [...accounts[s].facilityMw],
    storageChargeMw: [...accounts[s].chargeMw],
    storageDischargeMw: [...accounts[s].dischargeMw],
    stateOfChargeMwh: [...accounts[s].stateOfChargeMwh],
    marginalEmissionsKg: [...(accounts[s].marginalEmissionsKg ?? [])],
    cfeServedMw: [...accounts[s].cfeServedMw],
    cfeScore: accounts[s].cfeScore,
  }));
}

function toBaselinePlan(problem: Problem, baseline: Schedule): BaselinePlan {
  return {
    jobs: toJobPlans(problem, baseline),
    sites: toSiteProfiles(problem, baseline.sites),
    emissionsKg: baseline.totals.emissionsKg,
    cost: baseline.totals.cost,
    storageLossesMwh: baseline.totals.storageLossesMwh,
    greenMwh: baseline.totals.greenMwh,
    gridMwh: baseline.totals.gridMwh,
    marginalEmissionsKg: baseline.totals.marginalEmissionsKg,
    cfeScore: baseline.totals.cfeScore,
    annualMatchingScore: baseline.totals.annualMatchingScore,
    energyMwh: baseline.totals.energyMwh,
  };
}

function noScheduleJobPlan(jobId: string, gpuHours: number, termination: TerminationCondition): JobPlan {
  return {
    jobId,
    allocations: [],
    transfers: [],
    finish: undefined,
    unmetGpuHours: gpuHours,
    reason: `no schedule: the solve ended with ${termination}`,
    doneGpuHours: 0,
    lateHours: 0,
    preemptions: 0,
    migrations: 0,
    checkpointGpuHours: 0,
  };
}
