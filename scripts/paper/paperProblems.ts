import type { Problem } from '../../solver/problem/Problem.js';
import { Solver, type Job, type PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import type { Timestamp } from '../../src/generated/google/protobuf/timestamp.js';
import { validatePlanRequest } from '../../src/data/validatePlanRequest.js';
import { jobWindow, type ExperimentCell } from './paperExperiment.js';
import type { CarbonIntensitySeries } from './readCarbonIntensityCsv.js';

const hourMs = 3_600_000;

/**
 * Relative MIP gap requested. A request's 0 means "default" (1e-4), so exactness is asked for
 * with a gap far below any difference the experiment can see; the model's LP relaxation is
 * integral anyway (one block per job, jobs never compete), so HiGHS closes it at the root.
 */
export const paperMipGap = 1e-9;

/** Wall-clock limit per plan, seconds: generous, no batch comes near it. */
export const paperTimeLimitSeconds = 600;

/** Where a batch of the experiment sits in the year: its horizon, in hours from 2022-01-01T00:00Z. */
export interface PaperBatch {
  zone: string;
  cell: ExperimentCell;
  /** Arrival hours of the batch's jobs, ascending, distinct; job k arrives at arrivals[k]. */
  arrivals: number[];
  /** First hour of the horizon (the first arrival). */
  horizonStartHour: number;
  /** One past the last hour (the latest deadline). */
  horizonEndHour: number;
}

/** The ids of the experiment's jobs: `a` and the arrival hour, zero-padded ("a0042"). */
export function paperJobId(arrival: number): string {
  return `a${String(arrival).padStart(4, '0')}`;
}

/**
 * Describes the batch of jobs arriving at `arrivals` (ascending, distinct, each valid per
 * `jobWindow`): its horizon runs from the first arrival to the latest deadline, so it covers
 * every job's window. Throws on an empty, unsorted or invalid arrival list.
 */
export function paperBatch(series: CarbonIntensitySeries, zone: string, cell: ExperimentCell, arrivals: readonly number[]): PaperBatch {
  if (arrivals.length === 0) throw new Error('a batch needs at least one arrival');
  if (!(zone in series.byZone)) throw new Error(`zone ${zone} is not in the series (have ${Object.keys(series.byZone).join(', ')})`);
  for (let k = 1; k < arrivals.length; k++) {
    if (!(arrivals[k] > arrivals[k - 1])) throw new Error(`arrivals must ascend: ${arrivals[k - 1]} then ${arrivals[k]}`);
  }
  const windows = arrivals.map((arrival) => jobWindow(arrival, cell.jobHours, series.hours));
  return {
    zone,
    cell,
    arrivals: [...arrivals],
    horizonStartHour: windows[0].release,
    horizonEndHour: Math.max(...windows.map((w) => w.deadline)),
  };
}

/**
 * The PlanRequest (ts-proto type) of a batch, as a user would send it: one site with id = zone,
 * pue 1, no green supply (zeros), no prices or base load (empty), no grid import limit (unset:
 * unlimited), gpuCapacity = the number of jobs (so jobs never compete); one job per arrival with
 * gpuHours J, maxGpus 1, gpuPowerKw 1 (1 kW), release = arrival, deadline per `jobWindow`,
 * homeSite and allowedSites = the zone, interruptible for 'interrupt'; minimise carbon only
 * (carbonWeight 1, costWeight 0) with HiGHS, `paperTimeLimitSeconds` and `paperMipGap`.
 */
export function paperPlanRequest(series: CarbonIntensitySeries, batch: PaperBatch): PlanRequest {
  const hours = batch.horizonEndHour - batch.horizonStartHour;
  const intensity = series.byZone[batch.zone].slice(batch.horizonStartHour, batch.horizonEndHour);
  const jobs: Job[] = batch.arrivals.map((arrival) => {
    const { release, deadline } = jobWindow(arrival, batch.cell.jobHours, series.hours);
    return {
      id: paperJobId(arrival),
      gpuHours: batch.cell.jobHours,
      maxGpus: 1,
      minGpus: undefined,
      gpuPowerKw: 1,
      release: timestamp(series.startMs + release * hourMs),
      deadline: timestamp(series.startMs + deadline * hourMs),
      allowedSites: [batch.zone],
      homeSite: batch.zone,
      interruptible: batch.cell.mode === 'interrupt',
      datasetGb: undefined,
      dataSite: '',
    };
  });
  return {
    horizon: { start: timestamp(series.startMs + batch.horizonStartHour * hourMs), hours },
    sites: [
      {
        id: batch.zone,
        name: `${batch.zone} (Electricity Maps 2022)`,
        timeZone: 'UTC',
        gpuCapacity: batch.arrivals.length,
        pue: 1,
        greenSupplyMw: new Array<number>(hours).fill(0),
        carbonIntensityGPerKwh: intensity,
        pricePerMwh: [],
        baseLoadMw: [],
        gridImportLimitMw: undefined,
        storage: undefined,
        marginalIntensityGPerKwh: [],
      },
    ],
    jobs,
    forecastScenarios: [],
    links: [],
    objective: { carbonWeight: 1, costWeight: 0, riskMeasure: 0, cvarAlpha: 0 },
    options: { timeLimitSeconds: paperTimeLimitSeconds, mipGap: paperMipGap, solver: Solver.SOLVER_HIGHS },
  };
}

/**
 * The cosched Problem of a batch, through the real data stage (`validatePlanRequest` on
 * `paperPlanRequest`), so the experiment takes the same path as users. Horizon hour h is hour
 * batch.horizonStartHour + h of the year; job k's window is [arrival, deadline) shifted likewise.
 * Throws whatever the data stage throws for an invalid request (a bug here or there).
 */
export function paperProblem(series: CarbonIntensitySeries, batch: PaperBatch): Problem {
  return validatePlanRequest(paperPlanRequest(series, batch));
}

function timestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: 0 };
}
