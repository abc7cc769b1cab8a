import type { SolverStatus, TerminationCondition } from '../solve/SolveOutcome.js';
import type { Explanation } from './Explanation.js';

/**
 * The complete answer of the solver core, in horizon hours and site indices.
 * The edges (CLI, gRPC) turn it into a PlanResponse; every number in it is checked by
 * `checkPlanResult` before it leaves the core.
 */
export interface PlanResult {
  status: SolverStatus;
  termination: TerminationCondition;
  /** The optimised schedule; undefined when the solver found none (e.g. time limit, no solution). */
  plan?: Schedule;
  /** The carbon-unaware baseline (always present). */
  baseline: Schedule;
  summary: PlanSummary;
  solve: SolveInfo;
  check: CheckReport;
  warnings: string[];
  /**
   * With forecast scenarios: the plan and the baseline in each, and the risk measures. `plan`,
   * `baseline` and `summary` then hold expected values (probability-weighted means) over them.
   */
  scenarios?: ScenarioReport;
  /** Shadow prices and deadline values (only when options.explain asked for them). */
  explanation?: Explanation;
}

/** The plan and the baseline judged in one forecast scenario. */
export interface ScenarioOutcome {
  name: string;
  probability: number;
  /** Undefined when there is no plan. */
  plan?: Schedule;
  baseline: Schedule;
}

/** What the plan is across the forecast scenarios. */
export interface ScenarioReport {
  riskMeasure: 'expected' | 'worst' | 'cvar';
  /** The CVaR level the plan minimised (0 unless riskMeasure is 'cvar'). */
  cvarAlpha: number;
  outcomes: ScenarioOutcome[];
  expectedEmissionsKg: number;
  baselineExpectedEmissionsKg: number;
  worstEmissionsKg: number;
  baselineWorstEmissionsKg: number;
  /** CVaR of emissions at `cvarLevel` (cvarAlpha, or 0.9 when the plan did not minimise CVaR). */
  cvarEmissionsKg: number;
  baselineCvarEmissionsKg: number;
  cvarLevel: number;
}

/** A run of `hours` consecutive hours at one site with a constant GPU count. */
export interface Run {
  site: number;
  startHour: number;
  hours: number;
  /**
   * GPU-hours done per hour of the run (may be fractional in an LP; with options.integerGpus whole
   * GPUs, except in the job's last hour, which may end mid-hour).
   */
  gpus: number;
}

/** Where and when one job runs, and what is left undone. */
export interface JobOutcome {
  /** Index into Problem.jobs. */
  job: number;
  /** Runs in time order, then by site. */
  runs: Run[];
  doneGpuHours: number;
  unmetGpuHours: number;
  /** One past the last hour with work; undefined when no work is done. */
  finishHour?: number;
  /** Hours past the deadline at which the job finishes (0 when on time; baseline only). */
  lateHours: number;
  /** Why work is unmet, or why the baseline is late; '' otherwise. */
  reason: string;
  /** Pauses followed by more work: the running hours form preemptions + 1 stretches. Absent: 0. */
  preemptions?: number;
  /** Running hours at a site the job did not run at in its previous running hour. Absent: 0. */
  migrations?: number;
  /**
   * GPU-hours spent restoring checkpoints (in the runs and the energy, not in doneGpuHours):
   * Σ runs' GPU-hours = doneGpuHours + checkpointGpuHours. Absent: 0.
   */
  checkpointGpuHours?: number;
  /**
   * The job's data transfers, in time order: runs of consecutive hours on one link at a constant
   * rate. Absent or empty when the job moves no data.
   */
  transfers?: Transfer[];
}

/** Data sent on one link in `hours` consecutive hours, `gbPerHour` in each. */
export interface Transfer {
  /** Index into Problem.links. */
  link: number;
  startHour: number;
  hours: number;
  gbPerHour: number;
}

/** How a site's battery runs: power into and out of it at the bus, per hour (MW = MWh). */
export interface StorageDispatch {
  chargeMw: number[];
  dischargeMw: number[];
}

/**
 * Hourly accounts of one site; every array has Problem.hours values, except the storage arrays,
 * which are empty at a site without storage.
 */
export interface SiteAccounts {
  jobLoadMw: number[];
  facilityMw: number[];
  greenUsedMw: number[];
  gridMw: number[];
  curtailedMw: number[];
  emissionsKg: number[];
  cost: number[];
  chargeMw: number[];
  dischargeMw: number[];
  /** State of charge at the end of each hour (MWh). */
  stateOfChargeMwh: number[];
  /** Carbon-free energy serving the load: facilityMw − min(gridMw, facilityMw) (MW). */
  cfeServedMw: number[];
  /** gridMw × marginal intensity (kg); undefined when the problem has no marginal signal. */
  marginalEmissionsKg?: number[];
  /** This site's hourly (24/7) CFE score: Σ cfeServedMw / Σ facilityMw over the hours (0 when no energy). */
  cfeScore: number;
}

/** Totals over all sites and hours. */
export interface EnergyTotals {
  energyMwh: number;
  greenMwh: number;
  gridMwh: number;
  curtailedMwh: number;
  jobItEnergyMwh: number;
  emissionsKg: number;
  cost: number;
  /** Energy into and out of storage at the bus, and what was lost on the way (MWh). */
  storageChargedMwh: number;
  storageDischargedMwh: number;
  storageLossesMwh: number;
  /** Σ grid MWh × marginal intensity (kg); undefined when the problem has no marginal signal. */
  marginalEmissionsKg?: number;
  /** Hourly (24/7) CFE score: Σ_{s,t} cfeServedMw / Σ_{s,t} facilityMw, in [0, 1] (0 when no energy). */
  cfeScore: number;
  /** Annual (volumetric) matching: min(1, Σ_{s,t} greenSupplyMw / energyMwh) (0 when no energy). */
  annualMatchingScore: number;
}

/** A schedule (plan or baseline) with its energy accounts. */
export interface Schedule {
  jobs: JobOutcome[];
  sites: SiteAccounts[];
  totals: EnergyTotals;
}

/** Plan totals and the comparison with the baseline. */
export interface PlanSummary extends EnergyTotals {
  baselineEmissionsKg: number;
  /** The baseline's marginal emissions (kg); undefined without a marginal signal. */
  baselineMarginalEmissionsKg?: number;
  /** baselineMarginalEmissionsKg − marginalEmissionsKg (0 without a schedule); undefined without a marginal signal. */
  marginalCarbonSavedKg?: number;
  baselineCfeScore: number;
  baselineAnnualMatchingScore: number;
  carbonSavedKg: number;
  carbonSavedPercent: number;
  greenShare: number;
  baselineCost: number;
  unmetGpuHours: number;
  doneGpuHours: number;
  baselineUnmetGpuHours: number;
  baselineDoneGpuHours: number;
  baselineMissedDeadlines: number;
  sameWork: boolean;
  /** Sums over the plan's jobs of JobOutcome.preemptions, migrations, checkpointGpuHours. Absent: 0. */
  preemptions?: number;
  migrations?: number;
  checkpointGpuHours?: number;
}

/** The solve itself. */
export interface SolveInfo {
  solver: string;
  solverStatus: string;
  solveMs: number;
  buildMs: number;
  variables: number;
  constraints: number;
  integerVariables: number;
  objective: number;
  mipGap: number;
  stages: number;
}

/** The independent checker's verdict. */
export interface CheckReport {
  passed: boolean;
  checks: number;
  violations: string[];
}
