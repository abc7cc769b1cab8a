import { describe, expect, it } from 'vitest';
import { planProblem } from '../solver/plan/planProblem.js';
import { job, oneSiteGreenAtHourThree, problem, site, twoSitesOneGreen } from './factories/problems.js';

describe('the planner on hand-solved cases', () => {
  it('puts a job in the only green hour, with zero emissions', async () => {
    const result = await planProblem(oneSiteGreenAtHourThree());
    expect(result.termination).toBe('optimal');
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 3, hours: 1, gpus: 8 }]);
    expect(result.summary.emissionsKg).toBeCloseTo(0, 9);
    // Baseline: 8 GPUs × 1 kW at once in hour 0: 0.008 MWh × 500 g/kWh = 4 kg.
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(4, 9);
    expect(result.summary.carbonSavedKg).toBeCloseTo(4, 9);
    expect(result.summary.carbonSavedPercent).toBeCloseTo(100, 9);
    expect(result.check.passed).toBe(true);
  });

  it('moves a job to the site with green supply', async () => {
    const result = await planProblem(twoSitesOneGreen());
    expect(result.plan!.jobs[0].runs.every((r) => r.site === 1)).toBe(true);
    expect(result.summary.emissionsKg).toBeCloseTo(0, 9);
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(0.008 * 600, 9);
  });

  it('splits a job across sites when the clean site lacks capacity', async () => {
    const sites = [site('clean', [0], [100], { gpuCapacity: 4 }), site('dirty', [0], [300])];
    const result = await planProblem(problem(1, sites, [job('j1', 1, { allowedSites: [0, 1], homeSite: 1 })]));
    const bySite = result.plan!.jobs[0].runs.map((r) => [r.site, r.gpus]);
    expect(bySite).toEqual([[0, 4], [1, 4]]);
    // 0.004 MWh × 100 + 0.004 MWh × 300 against the baseline's 0.008 MWh × 300.
    expect(result.summary.emissionsKg).toBeCloseTo(1.6, 9);
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(2.4, 9);
  });

  it('reports unmet work with a reason when the deadline is too tight', async () => {
    const result = await planProblem(problem(4, [site('a', [0, 0, 0, 0], [300, 300, 300, 300])], [job('j1', 4, { gpuHours: 16, deadlineHour: 1 })]));
    const outcome = result.plan!.jobs[0];
    expect(outcome.unmetGpuHours).toBeCloseTo(8, 9);
    expect(outcome.reason).toContain('8 of 16 GPU-hours unmet');
    expect(outcome.reason).toContain('window of 1 h at maxGpus 8 allows at most 8 GPU-hours; needs 16');
    expect(result.summary.unmetGpuHours).toBeCloseTo(8, 9);
    // The baseline does all 16 GPU-hours, late: the comparison says the work differs.
    expect(result.summary.baselineMissedDeadlines).toBe(1);
    expect(result.summary.sameWork).toBe(false);
    expect(result.warnings.join('\n')).toContain('different work');
  });

  it('runs a non-interruptible job as one block in the cheapest contiguous window', async () => {
    const ci = [500, 100, 100, 500, 50, 500];
    const result = await planProblem(problem(6, [site('a', ci.map(() => 0), ci)], [job('j1', 6, { gpuHours: 16, interruptible: false })]));
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 1, hours: 2, gpus: 8 }]);
    expect(result.summary.emissionsKg).toBeCloseTo(0.008 * 200, 9);
    expect(result.solve.integerVariables).toBeGreaterThan(0);
  });

  it('finishes a non-interruptible block mid-hour when the work is not a multiple of maxGpus', async () => {
    const ci = [400, 100, 100, 100];
    const result = await planProblem(problem(4, [site('a', [0, 0, 0, 0], ci)], [job('j1', 4, { gpuHours: 20, interruptible: false })]));
    // 20 GPU-hours at 8 GPUs: 3 hours, the last one doing 4 GPU-hours.
    expect(result.plan!.jobs[0].runs).toEqual([
      { site: 0, startHour: 1, hours: 2, gpus: 8 },
      { site: 0, startHour: 3, hours: 1, gpus: 4 },
    ]);
  });

  it('tells which site was full when another job took the capacity', async () => {
    const sites = [site('a', [0], [300], { gpuCapacity: 8 })];
    const result = await planProblem(problem(1, sites, [job('j1', 1), job('j2', 1)]));
    expect(result.summary.unmetGpuHours).toBeCloseTo(8, 9);
    const missed = result.plan!.jobs.find((j) => j.unmetGpuHours > 0)!;
    expect(missed.reason).toContain('site capacity taken by other jobs: a had no room in 1 of 1 window hours');
  });

  it('minimises unmet work before carbon, in three stages', async () => {
    const sites = [site('a', [0, 0], [100, 900], { gpuCapacity: 8 })];
    const jobs = [job('small', 2, { gpuHours: 8 }), job('large', 2, { gpuHours: 16 })];
    const result = await planProblem(problem(2, sites, jobs));
    expect(result.solve.stages).toBe(3);
    expect(result.summary.unmetGpuHours).toBeCloseTo(8, 9);
    // Capacity is full in both hours whatever the split: 16 GPU-hours at 8 kW per hour.
    expect(result.summary.emissionsKg).toBeCloseTo(0.008 * 100 + 0.008 * 900, 9);
  });

  it('keeps grid import under the site limit', async () => {
    const sites = [site('a', [0, 0, 0], [100, 100, 900], { gridImportLimitMw: 0.004 })];
    const result = await planProblem(problem(3, sites, [job('j1', 3)]));
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 2, gpus: 4 }]);
    expect(Math.max(...result.plan!.sites[0].gridMw)).toBeLessThanOrEqual(0.004 + 1e-12);
  });

  it('trades carbon for cost when only cost is weighted', async () => {
    const sites = [site('a', [0, 0], [500, 100], { pricePerMwh: [10, 50] })];
    const result = await planProblem(problem(2, sites, [job('j1', 2)], { objective: { carbonWeight: 0, costWeight: 1 } }));
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 1, gpus: 8 }]);
    expect(result.summary.cost).toBeCloseTo(0.008 * 10, 9);
  });

  it('respects minGpus: runs all four GPUs in one hour rather than two and two', async () => {
    // 2 GPUs of free green power in hour 0; without minGpus the LP would use 2 there and 2 in hour 1.
    const sites = [site('a', [0.002, 0], [300, 200])];
    const result = await planProblem(problem(2, sites, [job('j1', 2, { gpuHours: 4, maxGpus: 8, minGpus: 4 })]));
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 0, hours: 1, gpus: 4 }]);
    expect(result.summary.emissionsKg).toBeCloseTo(0.002 * 300, 9);
  });

  it('counts base load and PUE in every figure, and base load cancels in carbon saved', async () => {
    const sites = [site('a', [1, 1, 3], [500, 500, 500], { pue: 1.5, baseLoadMw: [1, 1, 1] })];
    const result = await planProblem(problem(3, sites, [job('j1', 3, { gpuHours: 1000, maxGpus: 1000 })]));
    // Facility = 1.5 × (base 1 MW + job 1 MW) = 3 MW in hour 2, all green; 1.5 MW base in hours 0-1, 0.5 MW from the grid.
    expect(result.plan!.jobs[0].runs).toEqual([{ site: 0, startHour: 2, hours: 1, gpus: 1000 }]);
    expect(result.summary.emissionsKg).toBeCloseTo(2 * 0.5 * 500, 9);
    expect(result.summary.baselineEmissionsKg).toBeCloseTo((3 - 1) * 500 + 0.5 * 500 + 0, 9);
    expect(result.summary.carbonSavedKg).toBeCloseTo(1.5 * 500, 9);
  });
});

describe('model names', () => {
  it('stay unique, LP-safe and within 100 characters for long or clashing ids', async () => {
    const { buildModel } = await import('../solver/model/buildModel.js');
    const longId = 'a-very-long-job-identifier-that-goes-on-and-on-for-64-characters';
    const p = problem(2, [site('site-1', [0, 0], [1, 2]), site('site_1', [0, 0], [1, 2])], [
      job(longId, 2, { allowedSites: [0, 1] }),
      job('x-y', 2, { allowedSites: [0, 1], interruptible: false }),
      job('x_y', 2, { allowedSites: [0, 1] }),
    ]);
    const names = [...buildModel(p).model.colNames, ...buildModel(p).model.rowNames];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(100);
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_.,()~]*$/);
    }
    expect(names).toContain('gpus(x_y~2,site_1~1,20260701T01)');
  });
});
