import type { CheckReport, PlanSummary, Run, Schedule } from '../plan/PlanResult.js';

/**
 * What a fixed plan can break when it is judged on realised data (see findScheduleViolations):
 * - `grid_import_limit`: a site's grid import above its limit in an hour (value, limit in MW);
 * - `site_capacity`: a site's GPUs in use above its capacity in an hour (GPUs);
 * - `outside_window`: an allocation's hours outside the job's window (value: hours outside, limit 0);
 * - `site_not_allowed`: an allocation at a site the job may not use (value: its GPU-hours, limit 0);
 * - `below_min_gpus`: an interruptible job's allocation below minGpus (GPUs);
 * - `job_max_gpus`: a job's GPUs over its allocations in an hour above maxGpus (GPUs);
 * - `not_one_block`: a non-interruptible job not one block at one site at maxGpus (value, limit 0);
 * - `excess_work`: a job doing more than its gpuHours (GPU-hours).
 */
export type ScheduleViolationKind =
  | 'grid_import_limit'
  | 'site_capacity'
  | 'outside_window'
  | 'site_not_allowed'
  | 'below_min_gpus'
  | 'job_max_gpus'
  | 'not_one_block'
  | 'excess_work';

/**
 * One thing a fixed schedule breaks. `job`, `site` and `hour` (indices, horizon hour) are set
 * where they apply: site-hour limits have site and hour; allocation violations have job, site and
 * the allocation's first hour; job_max_gpus has job and hour; job-wide ones only job.
 */
export interface ScheduleViolation {
  kind: ScheduleViolationKind;
  job?: number;
  site?: number;
  hour?: number;
  value: number;
  limit: number;
  description: string;
}

/** A fixed schedule to judge: for each job of the problem (by index), its runs. */
export type FixedSchedule = Run[][];

/**
 * A fixed schedule judged on a problem of realised data: its accounts (`judged`: work done and
 * unmet per job, lateHours always 0), the baseline run on the same data, the summary comparing
 * the two (PlanSummary, judged in place of the plan), what the schedule breaks, and the
 * independent check of all of it.
 */
export interface EvaluationResult {
  judged: Schedule;
  baseline: Schedule;
  summary: PlanSummary;
  violations: ScheduleViolation[];
  check: CheckReport;
}
