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
  /**
   * Ways the forecast may turn out (validated: probabilities > 0 adding up to 1). Absent or empty:
   * the sites' own forecasts alone. With scenarios, the jobs' schedule is one for all of them;
   * grid import and batteries follow each (see buildModel).
   */
  scenarios?: ForecastScenarioData[];
  /**
   * Directed links between sites that carry job data (validated: distinct ends, at most one per
   * ordered pair). Absent or empty: no links; jobs with data then run only at their data site.
   */
  links?: LinkData[];
}

/** A directed link that moves job data from one site to another, shared by all jobs. */
export interface LinkData {
  /** Index into Problem.sites. */
  fromSite: number;
  /** Index into Problem.sites; != fromSite. */
  toSite: number;
  /** Capacity in GB per hour: bandwidth_gbps × 3600 / 8 (> 0). */
  capacityGbPerHour: number;
  /** Energy per GB sent, drawn at the sending site in the hour of the transfer (kWh/GB, >= 0). */
  energyKwhPerGb: number;
}

/** One forecast scenario, complete: every site's arrays, the site's own where the request left them out. */
export interface ForecastScenarioData {
  name: string;
  probability: number;
  /** [site][hour]. */
  greenSupplyMw: number[][];
  /** [site][hour]. */
  carbonIntensityGPerKwh: number[][];
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
  /** The site's battery; undefined when it has none. */
  storage?: StorageData;
  /**
   * Marginal emission rate per hour (gCO2/kWh, e.g. WattTime MOER), or undefined when the request
   * gives no marginal signal. Validation guarantees every site has it or none does. Accounting
   * only: the model does not read it.
   */
  marginalIntensityGPerKwh?: number[];
}

/**
 * A battery behind a site's meter (validated). In hour t, with charge c and discharge d at the
 * bus (MW = MWh in the hour): soc[t] = soc[t-1] + chargeEfficiency·c − d / dischargeEfficiency.
 */
export interface StorageData {
  /** Usable capacity (MWh), > 0. */
  energyMwh: number;
  /** Charge and discharge limit at the bus (MW), > 0. */
  powerMw: number;
  /** sqrt(round-trip efficiency), in (0, 1]. */
  chargeEfficiency: number;
  /** sqrt(round-trip efficiency), in (0, 1]. */
  dischargeEfficiency: number;
  /** State of charge before hour 0 (MWh), in [0, energyMwh]. */
  initialMwh: number;
  /** Least state of charge after the last hour (MWh), in [0, initialMwh]. */
  finalMinMwh: number;
  /** true: may charge from the grid; false: only from the site's green supply. */
  chargeFromGrid: boolean;
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
  /**
   * The job's dataset (GB, > 0) and the site that holds it (index into Problem.sites); undefined
   * when the job has no data to move. Before its first hour at any site other than dataSite, the
   * whole dataset must have arrived there over the link dataSite -> site.
   */
  data?: JobDataset;
}

/** Where a job's data is and how big it is. */
export interface JobDataset {
  datasetGb: number;
  dataSite: number;
}

/** objective = carbonWeight·emissionsKg + costWeight·cost, after unmet work is minimised first. */
export interface ObjectiveWeights {
  carbonWeight: number;
  costWeight: number;
  /** Over forecast scenarios: what to minimise. Absent: the expected objective. */
  risk?: RiskMeasureData;
}

/** The measure of the objective over the scenarios that the plan minimises. */
export type RiskMeasureData = { kind: 'expected' } | { kind: 'worst' } | { kind: 'cvar'; alpha: number };

/** Solver settings with defaults applied. */
export interface SolveOptions {
  timeLimitSeconds: number;
  /** Relative MIP gap. */
  mipGap: number;
  solver: 'highs' | 'jslp';
  /**
   * true: explain the plan from the final solve's duals (PlanResult.explanation). Free for an LP;
   * one more LP solve per stage for a MILP. Absent: false.
   */
  explain?: boolean;
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
