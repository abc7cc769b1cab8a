/**
 * The validated planning problem: the data stage's output and the solver core's only input.
 *
 * Time is in whole horizon hours: hour h covers [horizonStartMs + h·1h, horizonStartMs + (h+1)·1h).
 * Every hourly array has exactly `hours` values. Ids are unique and already checked; sites are
 * referred to by index. Nothing here is a protobuf or file type: solver/ knows nothing of gRPC,
 * the CLI or the file system.
 */
export interface Problem {
  /** Horizon start, epoch milliseconds UTC, on a whole hour. */
  horizonStartMs: number;
  /** Number of hours in the horizon (1..8784). */
  hours: number;
  sites: SiteData[];
  jobs: JobData[];
  objective: ObjectiveWeights;
  options: SolveOptions;
}

/** One data-center site with its hourly forecasts. */
export interface SiteData {
  id: string;
  name: string;
  /** IANA zone, display only. */
  timeZone: string;
  /** GPUs available to batch jobs in every hour (integer >= 0). */
  gpuCapacity: number;
  /** >= 1. */
  pue: number;
  greenSupplyMw: number[];
  carbonIntensityGPerKwh: number[];
  /** Zeros when the request gives no prices. */
  pricePerMwh: number[];
  /** Zeros when the request gives no base load. */
  baseLoadMw: number[];
  /** Infinity when unlimited. */
  gridImportLimitMw: number;
}

/** One training job. Its window is already intersected with the horizon. */
export interface JobData {
  id: string;
  /** Total work, GPU-hours (> 0). */
  gpuHours: number;
  /** Integer >= 1. */
  maxGpus: number;
  /** Integer, 0 when unset; <= maxGpus. */
  minGpus: number;
  gpuPowerKw: number;
  /** First horizon hour the job may use (release rounded up to a whole hour, clipped to 0). */
  windowStart: number;
  /**
   * One past the last horizon hour the job may use (deadline rounded down, clipped to `hours`).
   * windowEnd <= windowStart means an empty window.
   */
  windowEnd: number;
  /** Release and deadline in horizon hours before clipping (may be fractional or outside). */
  releaseHour: number;
  deadlineHour: number;
  /** Indices into Problem.sites, ascending, non-empty. */
  allowedSites: number[];
  /** Index into Problem.sites; always one of allowedSites. */
  homeSite: number;
  interruptible: boolean;
  /**
   * Minutes spent restoring a checkpoint at maxGpus each time an interruptible job starts at a
   * site after its first start (README, "Executable schedules"). Unset or 0: free restarts.
   */
  checkpointMinutes?: number;
  /** true: may run at several sites in one hour even in executable mode. Unset: false. */
  splitSites?: boolean;
}

/** objective = carbonWeight·emissionsKg + costWeight·cost, after unmet work is minimised first. */
export interface ObjectiveWeights {
  carbonWeight: number;
  costWeight: number;
}

/** Solver settings with defaults applied. */
export interface SolveOptions {
  timeLimitSeconds: number;
  /** Relative MIP gap. */
  mipGap: number;
  solver: 'highs' | 'jslp';
  /**
   * true: executable schedules (whole GPUs, one site per job-hour unless splitSites). Unset or
   * false: the LP. See executableRules.
   */
  integerGpus?: boolean;
}

/** Defaults used when a request leaves an option unset. */
export const defaultSolveOptions: SolveOptions = {
  timeLimitSeconds: 60,
  mipGap: 1e-4,
  solver: 'highs',
};
