import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchmarkSizes, generateInstance, parseSolarTrace, sizeNames, type PlanRequestJson } from '../bench/generateInstance.js';
import { planRequestFromJson } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';

// The real solar trace (Solcast data via dos-group/vessim, MIT), if this checkout sits next to ../shared/data.
const tracePath = fileURLToPath(new URL('../../shared/data/solar-and-moer-traces/solar_example.csv', import.meta.url));
const trace = existsSync(tracePath) ? parseSolarTrace(readFileSync(tracePath, 'utf8')) : undefined;

const hourMs = 3_600_000;

describe('bench/generateInstance', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const spec = benchmarkSizes['milp-mixed'];
    const a = JSON.stringify(generateInstance(spec, { seed: 7 }));
    const b = JSON.stringify(generateInstance(spec, { seed: 7 }));
    const c = JSON.stringify(generateInstance(spec, { seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it.runIf(trace !== undefined)('is deterministic with the real solar trace too', () => {
    const spec = benchmarkSizes['day-ahead'];
    expect(JSON.stringify(generateInstance(spec, { seed: 3, solarTrace: trace }))).toBe(JSON.stringify(generateInstance(spec, { seed: 3, solarTrace: trace })));
  });

  it('reads the trace as hourly means in 0..1 for ten cities', () => {
    const csv = 'time,A,B\n0,0,1\n300,1,1\n3600,0.5,0\n';
    expect(parseSolarTrace(csv)).toEqual({ cities: ['A', 'B'], hourly: [[0.5, 0.5], [1, 0]] });
    if (trace) {
      expect(trace.cities).toHaveLength(10);
      expect(trace.hourly.every((column) => column.length >= 24 * 28 && column.every((x) => x >= 0 && x <= 1))).toBe(true);
    }
  });

  for (const size of sizeNames) {
    const spec = benchmarkSizes[size];
    describe(`size ${size} (${spec.sites} x ${spec.hours} x ${spec.jobs})`, () => {
      const instances: Array<[string, PlanRequestJson]> = [['synthetic solar', generateInstance(spec, { seed: 1 })]];
      if (trace) instances.push(['real solar trace', generateInstance(spec, { seed: 1, solarTrace: trace })]);

      for (const [label, json] of instances) {
        it(`has the right shape (${label})`, () => {
          expect(json.horizon.hours).toBe(spec.hours);
          expect(json.sites).toHaveLength(spec.sites);
          expect(json.jobs).toHaveLength(spec.jobs);
          for (const site of json.sites) {
            for (const series of [site.greenSupplyMw, site.carbonIntensityGPerKwh, site.pricePerMwh, site.baseLoadMw]) {
              expect(series).toHaveLength(spec.hours);
              expect(series.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
            }
            expect(site.carbonIntensityGPerKwh.every((x) => x > 0)).toBe(true);
          }
          const capacity = new Map(json.sites.map((s) => [s.id, s.gpuCapacity]));
          const startMs = Date.parse(json.horizon.start);
          for (const job of json.jobs) {
            const release = (Date.parse(job.release) - startMs) / hourMs;
            const deadline = (Date.parse(job.deadline) - startMs) / hourMs;
            expect(release).toBeGreaterThanOrEqual(0);
            expect(deadline).toBeLessThanOrEqual(spec.hours);
            expect(deadline - release).toBeGreaterThanOrEqual(12);
            expect(deadline - release).toBeLessThanOrEqual(72);
            expect(job.allowedSites.length).toBeGreaterThanOrEqual(Math.min(2, spec.sites));
            expect(job.allowedSites.length).toBeLessThanOrEqual(Math.min(4, spec.sites));
            expect(job.allowedSites).toContain(job.homeSite);
            expect(job.maxGpus).toBeGreaterThanOrEqual(8);
            expect(job.maxGpus).toBeLessThanOrEqual(4096);
            expect(job.maxGpus).toBeLessThanOrEqual(Math.max(...job.allowedSites.map((id) => capacity.get(id)!)));
            expect(job.gpuHours).toBeGreaterThan(0);
          }
          const nonInterruptible = json.jobs.filter((j) => !j.interruptible).length / spec.jobs;
          if (spec.nonInterruptibleShare === 0 || spec.nonInterruptibleShare === 1) expect(nonInterruptible).toBe(spec.nonInterruptibleShare);
          else expect(Math.abs(nonInterruptible - spec.nonInterruptibleShare)).toBeLessThan(0.1);
        });

        // Validation only, for every size: solving the big ones is the benchmark's job.
        it(`is accepted by validatePlanRequest and by the CLI's schema check (${label})`, () => {
          const problem = validatePlanRequest(PlanRequest.fromJSON(json));
          expect(problem.hours).toBe(spec.hours);
          expect(problem.sites).toHaveLength(spec.sites);
          expect(problem.jobs).toHaveLength(spec.jobs);
          expect(problem.jobs.every((j) => j.windowEnd - j.windowStart >= 12)).toBe(true);
          expect(problem.options.mipGap).toBe(spec.mipGap ?? 1e-4);
          // The file the benchmark writes goes through the same checks as `cosched plan FILE`.
          const viaFile = validatePlanRequest(planRequestFromJson(JSON.parse(JSON.stringify(json)) as unknown));
          expect(viaFile.jobs).toHaveLength(spec.jobs);
        });
      }
    });
  }

  it('day-ahead-storage is the day-ahead instance plus a battery per site sized from its green supply and links; day-ahead-data adds data to one job in ten', () => {
    const plain = generateInstance(benchmarkSizes['day-ahead'], { seed: 4 });
    const withStorage = generateInstance(benchmarkSizes['day-ahead-storage'], { seed: 4 });
    const { links, ...withoutLinks } = withStorage;
    expect({ ...withoutLinks, sites: withStorage.sites.map(({ storage: _, ...site }) => site) }).toEqual(plain);
    expect(links!.length).toBeGreaterThan(0);
    for (const link of links!) expect(plain.jobs.some((job) => job.homeSite === link.fromSiteId && job.allowedSites.includes(link.toSiteId))).toBe(true);
    const withData = generateInstance(benchmarkSizes['day-ahead-data'], { seed: 4 });
    expect({ ...withData, jobs: withData.jobs.map(({ datasetGb: _, ...job }) => job) }).toEqual(withStorage);
    expect(withData.jobs.filter((job) => job.datasetGb !== undefined)).toHaveLength(Math.ceil(plain.jobs.length / 10));
    for (const site of withStorage.sites) {
      const storage = site.storage!;
      expect(storage.powerMw).toBeCloseTo(0.15 * Math.max(...site.greenSupplyMw), 3);
      expect(storage.energyMwh / storage.powerMw).toBeGreaterThanOrEqual(2 - 1e-3);
      expect(storage.energyMwh / storage.powerMw).toBeLessThanOrEqual(4 + 1e-3);
      expect(storage.finalMwhMin).toBe(storage.initialMwh);
      expect(storage.chargeFromGrid).toBe(false);
    }
    const problem = validatePlanRequest(PlanRequest.fromJSON(withStorage));
    expect(problem.sites.every((site) => site.storage !== undefined)).toBe(true);
  });

  it('rejects specs that cannot make a valid request', () => {
    expect(() => generateInstance({ sites: 0, hours: 24, jobs: 1, nonInterruptibleShare: 0 })).toThrow(RangeError);
    expect(() => generateInstance({ sites: 1, hours: 6, jobs: 1, nonInterruptibleShare: 0 })).toThrow(RangeError);
    expect(() => generateInstance({ sites: 1, hours: 24, jobs: 1, nonInterruptibleShare: 2 })).toThrow(RangeError);
  });
});
