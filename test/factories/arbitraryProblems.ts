import fc from 'fast-check';
import type { JobData, Problem, SiteData } from '../../solver/problem/Problem.js';
import { horizonStartMs } from './problems.js';

/** What arbitraryProblem may generate besides plain interruptible and non-interruptible jobs. */
export interface ArbitraryProblemOptions {
  /** Only interruptible jobs (LPs). */
  interruptibleOnly?: boolean;
  /** Jobs with minGpus 0..4 (run binaries). */
  withMinGpus?: boolean;
  /** Sites with a grid import limit (generous enough for the base load). */
  withLimits?: boolean;
  /** Jobs whose window is empty (deadline = release). */
  withEmptyWindows?: boolean;
  /**
   * Sites with 0-8 GPUs and 2-5 jobs of 1-16 GPU-hours instead of 0-24, 1-4 and 1-40: capacity
   * binds often, and one-hour blocks (gpuHours <= maxGpus) are common.
   */
  tightCapacity?: boolean;
  /** Sites that may have a battery (0-30 kWh, 2-10 kW, round trip 0.7-1, from the grid or not). */
  withStorage?: boolean;
}

/**
 * Random small instances: 2-8 hours, 1-3 sites (capacity 0-24, so some sites are too small for
 * some jobs), 1-4 jobs (maxGpus 1-12, windows that may be too short for the work), carbon only,
 * HiGHS with mipGap 1e-9. Integers throughout so that failures shrink readably.
 */
export function arbitraryProblem(options: ArbitraryProblemOptions = {}): fc.Arbitrary<Problem> {
  return fc.integer({ min: 2, max: 8 }).chain((hours) => {
    const hourly = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: hours, maxLength: hours });
    const arbitrarySite = fc.record({
      gpuCapacity: fc.integer({ min: 0, max: options.tightCapacity ? 8 : 24 }),
      pue: fc.constantFrom(1, 1.2, 1.5),
      green: hourly(0, 20),
      ci: hourly(0, 900),
      price: hourly(0, 100),
      base: hourly(0, 5),
      limit: options.withLimits ? fc.option(fc.integer({ min: 10, max: 40 }), { nil: undefined }) : fc.constant(undefined),
      storage: options.withStorage
        ? fc.option(
            fc.record({
              energyKwh: fc.integer({ min: 1, max: 30 }),
              powerKw: fc.integer({ min: 2, max: 10 }),
              roundTripPercent: fc.integer({ min: 70, max: 100 }),
              initialShare: fc.integer({ min: 0, max: 4 }),
              finalShare: fc.integer({ min: 0, max: 4 }),
              chargeFromGrid: fc.boolean(),
            }),
            { nil: undefined },
          )
        : fc.constant(undefined),
    });
    return fc.array(arbitrarySite, { minLength: 1, maxLength: 3 }).chain((siteSpecs) => {
      const sites: SiteData[] = siteSpecs.map((s, i) => ({
        id: `s${i}`,
        name: `s${i}`,
        timeZone: 'UTC',
        gpuCapacity: s.gpuCapacity,
        pue: s.pue,
        greenSupplyMw: s.green.map((g) => g / 1000),
        carbonIntensityGPerKwh: s.ci,
        pricePerMwh: s.price,
        baseLoadMw: s.base.map((b) => b / 1000),
        // Generous enough that base load alone never breaks it (validation rejects that).
        gridImportLimitMw: s.limit === undefined ? Infinity : s.limit / 1000 + s.pue * 0.005,
        ...(s.storage
          ? {
              storage: {
                energyMwh: s.storage.energyKwh / 1000,
                powerMw: s.storage.powerKw / 1000,
                chargeEfficiency: Math.sqrt(s.storage.roundTripPercent / 100),
                dischargeEfficiency: Math.sqrt(s.storage.roundTripPercent / 100),
                initialMwh: (s.storage.energyKwh * s.storage.initialShare) / 4 / 1000,
                finalMinMwh: (s.storage.energyKwh * Math.min(s.storage.initialShare, s.storage.finalShare)) / 4 / 1000,
                chargeFromGrid: s.storage.chargeFromGrid,
              },
            }
          : {}),
      }));
      const arbitraryJob = fc.record({
        gpuHours: fc.integer({ min: 1, max: options.tightCapacity ? 16 : 40 }),
        maxGpus: fc.integer({ min: 1, max: 12 }),
        minGpus: options.withMinGpus ? fc.integer({ min: 0, max: 4 }) : fc.constant(0),
        gpuPowerKw: fc.constantFrom(0.5, 0.7, 1),
        release: fc.integer({ min: 0, max: hours - 1 }),
        length: fc.integer({ min: options.withEmptyWindows ? 0 : 1, max: hours }),
        allowedMask: fc.integer({ min: 1, max: (1 << sites.length) - 1 }),
        homePick: fc.nat(),
        interruptible: options.interruptibleOnly ? fc.constant(true) : fc.boolean(),
      });
      const jobCount = options.tightCapacity ? { minLength: 2, maxLength: 5 } : { minLength: 1, maxLength: 4 };
      return fc.array(arbitraryJob, jobCount).map((specs) => {
        const jobs: JobData[] = specs.map((j, i) => {
          const allowedSites = sites.map((_, s) => s).filter((s) => j.allowedMask & (1 << s));
          const deadline = Math.min(hours, j.release + j.length);
          return {
            id: `j${i}`,
            gpuHours: j.gpuHours,
            maxGpus: j.maxGpus,
            minGpus: Math.min(j.minGpus, j.maxGpus),
            gpuPowerKw: j.gpuPowerKw,
            windowStart: j.release,
            windowEnd: deadline,
            releaseHour: j.release,
            deadlineHour: deadline,
            allowedSites,
            homeSite: allowedSites[j.homePick % allowedSites.length],
            interruptible: j.interruptible,
          };
        });
        return { horizonStartMs, hours, sites, jobs, objective: { carbonWeight: 1, costWeight: 0 }, options: { timeLimitSeconds: 30, mipGap: 1e-9, solver: 'highs' as const } };
      });
    });
  });
}
