/**
 * cosched against external truth: Sukprasert et al., "On the Limitations of Carbon-Aware Temporal
 * and Spatial Workload Shifting in the Cloud" (EuroSys 2024). The full reproduction through the
 * planner is `npm run check:paper`; this suite checks the definition (brute force, all arrivals)
 * and the planner on a sample of arrivals.
 *
 * Carbon intensity data: Electricity Maps (electricitymaps.com), ODbL
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bruteForceArrival, bruteForceSavings } from '../scripts/paper/bruteForceSavings.js';
import { paperDataPath } from '../scripts/paper/paperDataPath.js';
import { arrivalCount, paperCells, paperZones, type ShiftMode } from '../scripts/paper/paperExperiment.js';
import { paperBatch, paperProblem } from '../scripts/paper/paperProblems.js';
import { planPaperArrivals, type PaperPlanOutcome } from '../scripts/paper/planPaperArrivals.js';
import { publishedSaving, publishedTolerancePp } from '../scripts/paper/publishedSavings.js';
import { readCarbonIntensityCsv, type CarbonIntensitySeries } from '../scripts/paper/readCarbonIntensityCsv.js';

let series: CarbonIntensitySeries;
beforeAll(() => {
  series = readCarbonIntensityCsv(paperDataPath(), [...paperZones]);
});

/** Every 173rd arrival, plus the last two (whose windows the year's end clips). */
function sampleArrivals(jobHours: number): number[] {
  const count = arrivalCount(jobHours);
  const sample = new Set<number>();
  for (let i = 0; i < count; i += 173) sample.add(i);
  sample.add(count - 13);
  sample.add(count - 1);
  return [...sample].sort((a, b) => a - b);
}

describe('the brute force reproduces the published table (all arrivals, no solver)', () => {
  for (const zone of paperZones) {
    for (const { jobHours, mode } of paperCells()) {
      it(`${zone}, J = ${jobHours} h, ${mode}`, () => {
        const published = publishedSaving(zone, jobHours, mode);
        const { savingPercent, arrivals } = bruteForceSavings(series.byZone[zone], jobHours, mode);
        expect(arrivals).toBe(8760 - jobHours);
        expect(Math.abs(savingPercent - published)).toBeLessThanOrEqual(publishedTolerancePp);
      });
    }
  }
});

describe('the experiment as a cosched Problem (through the data stage)', () => {
  it('has one unlimited site per zone and one 1-kW job per arrival with its window in horizon hours', () => {
    const batch = paperBatch(series, 'DE', { jobHours: 24, mode: 'defer' }, [8700, 8701, 8735]);
    const problem = paperProblem(series, batch);
    expect(problem.horizonStartMs).toBe(Date.UTC(2022, 0, 1) + 8700 * 3_600_000);
    expect(problem.hours).toBe(60);
    expect(problem.sites).toHaveLength(1);
    const [site] = problem.sites;
    expect({ id: site.id, pue: site.pue, gpuCapacity: site.gpuCapacity, gridImportLimitMw: site.gridImportLimitMw }).toEqual({ id: 'DE', pue: 1, gpuCapacity: 3, gridImportLimitMw: Infinity });
    expect(site.carbonIntensityGPerKwh).toEqual(series.byZone.DE.slice(8700, 8760));
    for (const hourly of [site.greenSupplyMw, site.pricePerMwh, site.baseLoadMw]) expect(hourly).toEqual(new Array(60).fill(0));
    expect(problem.jobs.map((j) => [j.id, j.windowStart, j.windowEnd, j.releaseHour, j.deadlineHour])).toEqual([
      ['a8700', 0, 48, 0, 48],
      ['a8701', 1, 49, 1, 49],
      ['a8735', 35, 60, 35, 60], // the deadline is clipped to the year's end
    ]);
    for (const j of problem.jobs) {
      expect(j).toMatchObject({ gpuHours: 24, maxGpus: 1, minGpus: 0, gpuPowerKw: 1, allowedSites: [0], homeSite: 0, interruptible: false });
    }
    expect(problem.objective).toEqual({ carbonWeight: 1, costWeight: 0 });
    expect(problem.options.solver).toBe('highs');
  });
});

describe('cosched plans a sample of arrivals exactly as the brute force', () => {
  const cases = paperZones.flatMap((zone) =>
    [6, 24].flatMap((jobHours) => (['defer', 'interrupt'] as ShiftMode[]).map((mode) => ({ zone, jobHours, mode }))),
  );
  const outcomes = new Map<string, PaperPlanOutcome>();
  const key = (c: { zone: string; jobHours: number; mode: ShiftMode }): string => `${c.zone} J=${c.jobHours} ${c.mode}`;

  beforeAll(async () => {
    // One plan per case; two in flight (one HiGHS worker per core).
    const pending = [...cases];
    const run = async (): Promise<void> => {
      for (let c = pending.shift(); c; c = pending.shift()) {
        const arrivals = sampleArrivals(c.jobHours);
        outcomes.set(key(c), await planPaperArrivals(series, c.zone, { jobHours: c.jobHours, mode: c.mode }, arrivals, { batchSize: arrivals.length }));
      }
    };
    await Promise.all([run(), run()]);
  });

  for (const c of cases) {
    it(`${key(c)}: optimal, checked, and equal to the brute force per job and in total`, () => {
      const outcome = outcomes.get(key(c))!;
      expect(outcome.failures).toEqual([]);
      expect(outcome.plansPassed).toBe(outcome.plans);
      const ci = series.byZone[c.zone];
      const arrivals = sampleArrivals(c.jobHours);
      expect(outcome.perArrival.map((a) => a.arrival)).toEqual(arrivals);
      let bruteKg = 0;
      for (const planned of outcome.perArrival) {
        const brute = bruteForceArrival(ci, planned.arrival, c.jobHours, c.mode);
        bruteKg += brute.shiftedKg;
        expect(relativeDifference(planned.plannedKg, brute.shiftedKg), `arrival ${planned.arrival}`).toBeLessThanOrEqual(1e-6);
      }
      expect(relativeDifference(outcome.plannedKg, bruteKg)).toBeLessThanOrEqual(1e-6);
    });

    it(`${key(c)}: the baseline runs every job at its arrival`, () => {
      const outcome = outcomes.get(key(c))!;
      const ci = series.byZone[c.zone];
      let runAtArrivalKg = 0;
      for (const planned of outcome.perArrival) {
        expect(planned.baselineRuns).toEqual([{ site: 0, startHour: planned.arrival, hours: c.jobHours, gpus: 1 }]);
        let kg = 0;
        for (let t = planned.arrival; t < planned.arrival + c.jobHours; t++) kg += ci[t] / 1000;
        runAtArrivalKg += kg;
        expect(relativeDifference(planned.baselineKg, kg), `arrival ${planned.arrival}`).toBeLessThanOrEqual(1e-9);
      }
      expect(relativeDifference(outcome.baselineKg, runAtArrivalKg)).toBeLessThanOrEqual(1e-9);
    });
  }
});

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}
