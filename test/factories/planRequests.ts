import { Solver, type Job, type PlanRequest, type Site } from '../../src/generated/cosched/v1/plan_request.js';
import type { Timestamp } from '../../src/generated/google/protobuf/timestamp.js';

/** A google.protobuf.Timestamp from an ISO string such as `2026-07-01T05:00:00Z`. */
export function timestamp(iso: string): Timestamp {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad ISO time in a test factory: ${iso}`);
  return { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1_000_000 };
}

/** 2026-07-01T00:00:00Z plus `hours` hours, as a Timestamp. */
export function hour(hours: number): Timestamp {
  return timestamp(new Date(Date.UTC(2026, 6, 1) + hours * 3_600_000).toISOString());
}

/** A site with the given forecasts (MW, g/kWh); 16 GPUs, pue 1.2, nothing optional set. */
export function site(id: string, greenSupplyMw: number[], carbonIntensityGPerKwh: number[], extra: Partial<Site> = {}): Site {
  return {
    id,
    name: '',
    timeZone: '',
    gpuCapacity: 16,
    pue: 1.2,
    greenSupplyMw,
    carbonIntensityGPerKwh,
    pricePerMwh: [],
    baseLoadMw: [],
    gridImportLimitMw: undefined,
    storage: undefined,
    marginalIntensityGPerKwh: [],
    ...extra,
  };
}

/** An interruptible job of 16 GPU-hours on up to 8 GPUs of 0.7 kW, home at `homeSite`, window 00:00..04:00. */
export function job(id: string, homeSite: string, extra: Partial<Job> = {}): Job {
  return {
    id,
    gpuHours: 16,
    maxGpus: 8,
    minGpus: undefined,
    gpuPowerKw: 0.7,
    release: hour(0),
    deadline: hour(4),
    allowedSites: [],
    homeSite,
    interruptible: true,
    datasetGb: undefined,
    dataSite: '',
    ...extra,
  };
}

/** A request over `hours` hours from 2026-07-01T00:00Z with the given sites and jobs; no objective or options. */
export function request(hours: number, sites: Site[], jobs: Job[], extra: Partial<PlanRequest> = {}): PlanRequest {
  return { horizon: { start: hour(0), hours }, sites, jobs, objective: undefined, options: undefined, forecastScenarios: [], links: [], ...extra } as PlanRequest;
}

/** One site `a`, green at hours 1 and 2, one job `j1` that may use all four hours. Valid. */
export function oneSiteFourHours(): PlanRequest {
  return request(4, [site('a', [0, 2, 2, 0], [500, 100, 100, 500])], [job('j1', 'a')]);
}

/** Sites `a`, `b`, `c` (no forecasts of interest) over 4 hours and one job at `a`. Valid. */
export function threeSitesFourHours(): PlanRequest {
  const flat = (value: number) => [value, value, value, value];
  return request(4, [site('a', flat(1), flat(300)), site('b', flat(2), flat(200)), site('c', flat(3), flat(100))], [job('j1', 'a')]);
}

/**
 * Two sites over six hours with every optional field set, and two jobs whose windows need
 * rounding and clipping: `j1` from 00:30 to 05:30 (window hours 1..5), `j2` from two hours before
 * the horizon to two hours after it (window 0..6). Valid.
 */
export function twoSitesSixHoursFullySpecified(): PlanRequest {
  return request(
    6,
    [
      site('a', [0, 1, 2, 3, 2, 1], [500, 400, 300, 300, 400, 500], {
        name: 'Site A',
        timeZone: 'Asia/Shanghai',
        gpuCapacity: 32,
        pue: 1.25,
        pricePerMwh: [50, 40, -5, -10, 30, 60],
        baseLoadMw: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        gridImportLimitMw: 10,
      }),
      site('b', [4, 4, 4, 4, 4, 4], [50, 50, 50, 50, 50, 50], {
        pue: 1.1,
        storage: { energyMwh: 2, powerMw: 1, roundTripEfficiency: 0.81, initialMwh: 1, finalMwhMin: 0.5, chargeFromGrid: true },
      }),
    ],
    [
      job('j1', 'a', { release: timestamp('2026-07-01T00:30:00Z'), deadline: timestamp('2026-07-01T05:30:00Z'), allowedSites: ['b', 'a'], minGpus: 2 }),
      job('j2', 'b', { release: hour(-2), deadline: hour(8), interruptible: false, maxGpus: 4, gpuHours: 12 }),
    ],
    {
      objective: { carbonWeight: 2, costWeight: 0.5, riskMeasure: 0, cvarAlpha: 0 },
      options: { timeLimitSeconds: 30, mipGap: 0.01, solver: Solver.SOLVER_JSLP },
    },
  );
}

/** oneSiteFourHours as a scenario file would write it in proto3 JSON (every field name as JSON names it). */
export function oneSiteFourHoursJson(): Record<string, unknown> {
  return {
    horizon: { start: '2026-07-01T00:00:00Z', hours: 4 },
    sites: [{ id: 'a', gpuCapacity: 16, pue: 1.2, greenSupplyMw: [0, 2, 2, 0], carbonIntensityGPerKwh: [500, 100, 100, 500] }],
    jobs: [
      {
        id: 'j1',
        gpuHours: 16,
        maxGpus: 8,
        gpuPowerKw: 0.7,
        release: '2026-07-01T00:00:00Z',
        deadline: '2026-07-01T04:00:00Z',
        homeSite: 'a',
        interruptible: true,
      },
    ],
  };
}

/** oneSiteFourHours as a YAML scenario file, using proto (snake_case) names as people often do. */
export function oneSiteFourHoursYaml(): string {
  return `# one site, four hours
horizon:
  start: 2026-07-01T00:00:00Z
  hours: 4
sites:
  - id: a
    gpu_capacity: 16
    pue: 1.2
    green_supply_mw: [0, 2, 2, 0]
    carbon_intensity_g_per_kwh: [500, 100, 100, 500]
jobs:
  - id: j1
    gpu_hours: 16
    max_gpus: 8
    gpu_power_kw: 0.7
    release: 2026-07-01T00:00:00Z
    deadline: 2026-07-01T04:00:00Z
    home_site: a
    interruptible: true
`;
}

/**
 * One site `a` (pue 1, grid import limit 0.6 MW) over four hours and one job `j1` of 20 GPU-hours
 * on up to 10 GPUs of 100 kW (1 MW at full width), window 00:00..04:00.
 */
function oneSiteOneMegawattJob(green: number[], intensity: number[], jobExtra: Partial<Job>): PlanRequest {
  return request(4, [site('a', green, intensity, { pue: 1, gridImportLimitMw: 0.6 })], [job('j1', 'a', { gpuHours: 20, maxGpus: 10, gpuPowerKw: 100, ...jobExtra })]);
}

/**
 * The forecast of the evaluation tests: green supply 1 MW in hours 1 and 2 (0.5 MW in 0 and 3),
 * intensities 400, 100, 100, 300 g/kWh. The plan runs 10 GPUs in hours 1-2 and emits nothing;
 * the baseline runs hours 0-1 and emits 0.5 MWh × 400 = 200 kg. Valid.
 */
export function greenInHoursOneAndTwo(jobExtra: Partial<Job> = {}): PlanRequest {
  return oneSiteOneMegawattJob([0.5, 1, 1, 0.5], [400, 100, 100, 300], jobExtra);
}

/**
 * What happened instead of greenInHoursOneAndTwo: hour 1 had 0.2 MW of green supply, not 1, at a
 * dirtier 200 g/kWh. `jobExtra` changes the job as realised (e.g. a new deadline). Valid.
 */
export function greenFellShortInHourOne(jobExtra: Partial<Job> = {}): PlanRequest {
  return oneSiteOneMegawattJob([0.5, 0.2, 1, 0.5], [400, 200, 100, 300], jobExtra);
}
