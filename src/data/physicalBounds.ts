/**
 * Upper (and lower) bounds for every number of a PlanRequest, far beyond any real data center
 * yet small enough that the model, the baseline and the plan check stay finite and exact: a
 * request within them that validates is one the planner can plan (it may still be too big for
 * the size limits, which answer RESOURCE_EXHAUSTED). Worst case within them: 1e6 GPUs × 100 kW ×
 * pue 10 = 1e6 MW, 1e6 MW × 1e4 g/kWh × 8784 h ≈ 9e16 g; and a job of 1e9 GPU-hours on one GPU
 * ends 1e9 h (about 114,000 years) after its release, still a valid JavaScript Date.
 * validateSites, validateJobs and validatePlanRequest (and so the standing planner's
 * validateJobSpec and validateSiteForecast, which reuse them) apply these.
 */
export const physicalBounds = {
  /** GPUs per site, and maxGpus of a job. */
  maxGpus: 1_000_000,
  /** Power usage effectiveness, at least 1. */
  maxPue: 10,
  /** Electrical power per GPU, at least 1 W: HiGHS drops matrix entries below 1e-9, so a GPU of
   * 1e-9 kW would draw power the model does not see (and the plan check would fail). */
  minGpuPowerKw: 0.001,
  maxGpuPowerKw: 100,
  /** Work of one job. */
  maxGpuHours: 1e9,
  /** Green supply, base load and grid import limit of a site. */
  maxPowerMw: 1_000_000,
  /** A job's dataset (GB): 1e9 GB is an exabyte. */
  maxDatasetGb: 1e9,
  /** A link's bandwidth (Gbit/s): 1e6 Gbps is a petabit per second. */
  maxLinkGbps: 1e6,
  /** A link's energy per GB sent (kWh/GB); estimates of networks today are below 1. */
  maxLinkKwhPerGb: 100,
  /** Energy capacity of a site's storage (a year of maxPowerMw would be 8.8e9 MWh; the largest
   * batteries today hold a few GWh). */
  maxStorageMwh: 10_000_000,
  /** Grid carbon intensity (the dirtiest real grids are near 1,000). */
  maxCarbonIntensityGPerKwh: 10_000,
  /** Marginal emission rate (MOER): the same bound as the average intensity (real MOER stays below ~1,500). */
  maxMarginalIntensityGPerKwh: 10_000,
  /** Electricity price per MWh, either sign (any currency; real market caps are near 2e4). */
  maxAbsPricePerMwh: 1_000_000,
  /** Each objective weight. */
  maxObjectiveWeight: 1_000_000,
} as const;
