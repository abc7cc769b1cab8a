import type { SolverStatus, TerminationCondition } from '../solve/SolveOutcome.js';

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
}

/** Hourly accounts of one site; every array has Problem.hours values. */
export interface SiteAccounts {
  jobLoadMw: number[];
  facilityMw: number[];
  greenUsedMw: number[];
  gridMw: number[];
  curtailedMw: number[];
  emissionsKg: number[];
  cost: number[];
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
