import type { JobOutcome, PlanResult, Run } from '../../solver/plan/PlanResult.js';
import { planProblem } from '../../solver/plan/planProblem.js';
import type { Problem } from '../../solver/problem/Problem.js';
import { paperBatch, paperJobId, paperProblem, type PaperBatch } from './paperProblems.js';
import type { ExperimentCell } from './paperExperiment.js';
import type { CarbonIntensitySeries } from './readCarbonIntensityCsv.js';

/** One arrival's runs and emissions in cosched's plan and baseline, recomputed from its runs (kg). */
export interface PlannedArrival {
  arrival: number;
  plannedKg: number;
  baselineKg: number;
  /** The runs, with startHour in hours of the year (not of the batch's horizon). */
  plannedRuns: Run[];
  baselineRuns: Run[];
}

/** cosched's answer for a set of arrivals of one zone and cell, summed over its batches. */
export interface PaperPlanOutcome {
  zone: string;
  cell: ExperimentCell;
  /** Σ plan.totals.emissionsKg over batches. */
  plannedKg: number;
  /** Σ baseline.totals.emissionsKg over batches. */
  baselineKg: number;
  /** 100 × (1 − plannedKg ÷ baselineKg). */
  savingPercent: number;
  /** Per arrival, in arrival order, from the runs of plan and baseline. */
  perArrival: PlannedArrival[];
  /** Number of plans (batches) solved. */
  plans: number;
  /** Plans whose check.passed was true (planProblem throws when it is false; that counts as failed). */
  plansPassed: number;
  /** Every problem found: a failed check, a non-optimal termination, unmet work, a missing plan. */
  failures: string[];
  /** Σ solver time (ms) and wall-clock time of the whole call (ms). */
  solveMs: number;
  wallMs: number;
}

/** How to cut the arrivals into plans. */
export interface PlanPaperOptions {
  /** Arrivals per plan (>= 1). */
  batchSize: number;
  /** Plans in flight at once (>= 1); HiGHS runs each in a worker thread. Default 1. */
  concurrency?: number;
  /** Called after each plan, e.g. for progress output. */
  onPlan?: (batch: PaperBatch, result: PlanResult | undefined, ms: number) => void;
}

/**
 * Plans the jobs arriving at `arrivals` (ascending, distinct; zone and cell as in
 * paperExperiment.ts) through cosched's own planner: cuts them into batches of
 * `options.batchSize` consecutive entries, builds each batch's Problem through the data stage
 * (`paperProblem`), runs `planProblem`, and sums plan and baseline emissions over batches.
 * Never throws for a planner failure: failed checks (planProblem's INTERNAL error), non-optimal
 * terminations, missing plans and unmet work are collected in `failures`.
 */
export async function planPaperArrivals(
  series: CarbonIntensitySeries,
  zone: string,
  cell: ExperimentCell,
  arrivals: readonly number[],
  options: PlanPaperOptions,
): Promise<PaperPlanOutcome> {
  const started = performance.now();
  const size = Math.max(1, Math.floor(options.batchSize));
  const batches: PaperBatch[] = [];
  for (let k = 0; k < arrivals.length; k += size) batches.push(paperBatch(series, zone, cell, arrivals.slice(k, k + size)));

  const outcome: PaperPlanOutcome = {
    zone, cell, plannedKg: 0, baselineKg: 0, savingPercent: NaN, perArrival: [], plans: 0, plansPassed: 0, failures: [], solveMs: 0, wallMs: 0,
  };
  const perBatch: PlannedArrival[][] = new Array(batches.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const index = next++;
      const batch = batches[index];
      const where = `${zone} J=${cell.jobHours} ${cell.mode} arrivals ${batch.arrivals[0]}..${batch.arrivals[batch.arrivals.length - 1]}`;
      const batchStarted = performance.now();
      let result: PlanResult | undefined;
      let problem: Problem | undefined;
      try {
        problem = paperProblem(series, batch);
        result = await planProblem(problem);
      } catch (error) {
        outcome.failures.push(`${where}: ${(error as Error).message}`);
      }
      outcome.plans++;
      if (problem && result) {
        perBatch[index] = account(problem, batch, result, where, outcome);
      }
      options.onPlan?.(batch, result, performance.now() - batchStarted);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, batches.length)) }, worker));

  outcome.perArrival = perBatch.flatMap((rows) => rows ?? []);
  outcome.savingPercent = 100 * (1 - outcome.plannedKg / outcome.baselineKg);
  outcome.wallMs = performance.now() - started;
  return outcome;
}

function account(problem: Problem, batch: PaperBatch, result: PlanResult, where: string, outcome: PaperPlanOutcome): PlannedArrival[] {
  outcome.solveMs += result.solve.solveMs;
  if (result.check.passed) outcome.plansPassed++;
  else outcome.failures.push(`${where}: check failed: ${result.check.violations.slice(0, 3).join('; ')}`);
  if (result.termination !== 'optimal') outcome.failures.push(`${where}: termination ${result.termination} (${result.solve.solverStatus})`);
  if (!result.plan) {
    outcome.failures.push(`${where}: no plan`);
    return [];
  }
  if (result.summary.unmetGpuHours > 1e-6) outcome.failures.push(`${where}: ${result.summary.unmetGpuHours} GPU-hours unmet`);
  outcome.plannedKg += result.plan.totals.emissionsKg;
  outcome.baselineKg += result.baseline.totals.emissionsKg;
  const intensity = problem.sites[0].carbonIntensityGPerKwh;
  const emissions = (job: JobOutcome): number => {
    const powerMw = problem.jobs[job.job].gpuPowerKw / 1000;
    let kg = 0;
    for (const run of job.runs) {
      for (let t = run.startHour; t < run.startHour + run.hours; t++) kg += run.gpus * powerMw * problem.sites[run.site].pue * intensity[t];
    }
    return kg;
  };
  const inYearHours = (job: JobOutcome | undefined): Run[] =>
    (job?.runs ?? []).map((run) => ({ ...run, startHour: run.startHour + batch.horizonStartHour }));
  const planned = byJob(result.plan.jobs);
  const baseline = byJob(result.baseline.jobs);
  return batch.arrivals.map((arrival, k) => {
    if (problem.jobs[k]?.id !== paperJobId(arrival)) outcome.failures.push(`${where}: job ${k} is ${problem.jobs[k]?.id}, expected ${paperJobId(arrival)}`);
    const plannedJob = planned.get(k);
    const baselineJob = baseline.get(k);
    if (!plannedJob || !baselineJob) outcome.failures.push(`${where}: no outcome for job ${paperJobId(arrival)}`);
    return {
      arrival,
      plannedKg: plannedJob ? emissions(plannedJob) : NaN,
      baselineKg: baselineJob ? emissions(baselineJob) : NaN,
      plannedRuns: inYearHours(plannedJob),
      baselineRuns: inYearHours(baselineJob),
    };
  });
}

function byJob(jobs: JobOutcome[]): Map<number, JobOutcome> {
  return new Map(jobs.map((job) => [job.job, job]));
}
