import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlanResult } from '../solver/check/checkPlanResult.js';
import type { PlanResult } from '../solver/plan/PlanResult.js';
import { planProblem } from '../solver/plan/planProblem.js';
import type { Problem } from '../solver/problem/Problem.js';
import { planResultFromResponse } from '../src/client/planResultFromResponse.js';
import { formatPlanReportHtml } from '../src/report/formatPlanReportHtml.js';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job, problem, site } from './factories/problems.js';

/**
 * Two sites, three hours. `grey` has no green supply, grid 600, 600, 300 g/kWh and a coal-like
 * margin of 900, 800, 700 g/kWh; `green` has 4 kW of green supply every hour (4 GPUs' worth),
 * grid 600 g/kWh and a margin of 400 g/kWh. One job of 16 GPU-hours, at most 8 GPUs of 1 kW,
 * homed at `grey`, may run at both.
 *
 * The plan (unique optimum): 4 GPUs at `green` in every hour (12 GPU-hours, all green) and the
 * remaining 4 GPU-hours at `grey` in hour 2, its cheapest grid hour (0.004 MWh × 300 = 1.2 kg).
 * The baseline: 8 GPUs at `grey` in hours 0 and 1.
 */
function greyAndGreenWithMargins(marginal = true): Problem {
  const grey = site('grey', [0, 0, 0], [600, 600, 300], marginal ? { marginalIntensityGPerKwh: [900, 800, 700] } : {});
  const green = site('green', [0.004, 0.004, 0.004], [600, 600, 600], marginal ? { marginalIntensityGPerKwh: [400, 400, 400] } : {});
  return problem(3, [grey, green], [job('j1', 3, { gpuHours: 16, maxGpus: 8, allowedSites: [0, 1], homeSite: 0 })]);
}

describe('side-by-side accounting on a hand-computed case', () => {
  it('reports location-based, marginal, 24/7 CFE and annual matching figures for plan and baseline', async () => {
    const result = await planProblem(greyAndGreenWithMargins());
    const plan = result.plan!;
    expect(result.check.passed).toBe(true);
    expect(plan.jobs[0].runs).toEqual([
      { site: 1, startHour: 0, hours: 3, gpus: 4 },
      { site: 0, startHour: 2, hours: 1, gpus: 4 },
    ]);

    // Location-based: the plan imports 0.004 MWh at 300 g/kWh; the baseline 2 × 0.008 MWh at 600.
    expect(result.summary.emissionsKg).toBeCloseTo(1.2, 9);
    expect(result.summary.baselineEmissionsKg).toBeCloseTo(9.6, 9);
    // Marginal: the plan's import meets a 700 g/kWh margin: 0.004 × 700 = 2.8 kg; the baseline's
    // 0.008 × 900 + 0.008 × 800 = 13.6 kg; saved 10.8 kg.
    expect(plan.sites[0].marginalEmissionsKg).toEqual([0, 0, expect.closeTo(2.8, 9)]);
    expect(plan.sites[1].marginalEmissionsKg).toEqual([0, 0, 0]);
    expect(result.summary.marginalEmissionsKg).toBeCloseTo(2.8, 9);
    expect(result.summary.baselineMarginalEmissionsKg).toBeCloseTo(13.6, 9);
    expect(result.summary.marginalCarbonSavedKg).toBeCloseTo(10.8, 9);
    expect(result.baseline.sites[0].marginalEmissionsKg).toEqual([expect.closeTo(7.2, 9), expect.closeTo(6.4, 9), 0]);

    // 24/7 CFE: the plan's 0.012 MWh at `green` are all met by green supply in their hour, the
    // 0.004 MWh at `grey` not at all: 0.012 / 0.016 = 0.75. Per site: grey 0, green 1.
    expect(plan.sites[1].cfeServedMw).toEqual([0.004, 0.004, 0.004].map((v) => expect.closeTo(v, 12)));
    expect(plan.sites[0].cfeServedMw).toEqual([0, 0, 0]);
    expect(plan.sites.map((s) => s.cfeScore)).toEqual([0, expect.closeTo(1, 12)]);
    expect(result.summary.cfeScore).toBeCloseTo(0.75, 12);
    // The baseline runs where there is no green supply: 0% hourly CFE, while annual matching
    // (0.012 MWh of green supply for 0.016 MWh used) would claim 75%.
    expect(result.summary.baselineCfeScore).toBe(0);
    expect(result.summary.baselineAnnualMatchingScore).toBeCloseTo(0.75, 12);
    expect(result.summary.annualMatchingScore).toBeCloseTo(0.75, 12);

    const text = formatPlanText(greyAndGreenWithMargins(), result);
    expect(text).toContain(
      [
        'Accounting side by side',
        '                                       plan  baseline  plan − baseline',
        '  location-based emissions    kg CO2e  1.20      9.60            -8.40',
        '  marginal emissions          kg CO2    2.8      13.6            -10.8',
        '  24/7 CFE (hourly matching)  %        75.0       0.0        +75.0 pts',
        '  annual matching             %        75.0      75.0          0.0 pts',
      ].join('\n'),
    );
    const noCharts = { comparison: { fileName: 'c.svg', svg: '<svg></svg>', caption: '', data: {} }, sites: [], storage: [], gantts: [] };
    const html = formatPlanReportHtml(greyAndGreenWithMargins(), result, noCharts);
    expect(html).toMatch(/<tr data-metric="marginalEmissionsKg"><th>marginal emissions<\/th><td>kg CO2<\/td><td class="num plan" data-value="2\.8[0-9]*">2\.8<\/td><td class="num baseline" data-value="13\.6[0-9]*">13\.6<\/td><td class="num difference" data-value="-10\.8[0-9]*">-10\.8<\/td><\/tr>/);
    expect(html).toContain('<tr data-metric="cfeScore"><th>24/7 CFE (hourly matching)</th><td>%</td><td class="num plan" data-value="0.75">75.0</td>');
  });

  it('caps annual matching at 1 and reports no marginal figure without a marginal signal', async () => {
    // The same sites with three times the green supply: 0.036 MWh for 0.016 MWh of load.
    const p = greyAndGreenWithMargins(false);
    p.sites[1].greenSupplyMw = [0.012, 0.012, 0.012];
    const result = await planProblem(p);
    expect(result.check.passed).toBe(true);
    expect(result.summary.annualMatchingScore).toBe(1);
    expect(result.summary.baselineAnnualMatchingScore).toBe(1);
    expect(result.summary.cfeScore).toBeCloseTo(1, 12);
    expect(result.summary.baselineCfeScore).toBe(0);
    expect(result.summary).not.toHaveProperty('marginalEmissionsKg');
    expect(result.summary).not.toHaveProperty('baselineMarginalEmissionsKg');
    expect(result.summary).not.toHaveProperty('marginalCarbonSavedKg');
    expect(result.plan!.sites[0]).not.toHaveProperty('marginalEmissionsKg');
    expect(formatPlanText(p, result)).not.toContain('marginal');

    const response = toPlanResponse(p, result);
    expect(response.summary?.marginalEmissionsKg).toBeUndefined();
    expect(response.sites[0].marginalEmissionsKg).toEqual([]);
    expect(response.baseline?.marginalEmissionsKg).toBeUndefined();
  });

  it('goes over the wire and back unchanged, marginal figures included', async () => {
    const p = greyAndGreenWithMargins();
    const result = await planProblem(p);
    const response = toPlanResponse(p, result);
    expect(response.summary).toMatchObject({ marginalEmissionsKg: expect.closeTo(2.8, 9), cfeScore: expect.closeTo(0.75, 12), baselineCfeScore: 0 });
    expect(response.baseline).toMatchObject({ marginalEmissionsKg: expect.closeTo(13.6, 9), cfeScore: 0, annualMatchingScore: expect.closeTo(0.75, 12) });
    expect(response.sites[1].cfeScore).toBeCloseTo(1, 12);
    expect(planResultFromResponse(p, response)).toEqual(result);
  });
});

/** arbitraryProblem with a marginal signal of 0..1,200 g/kWh at every site. */
const problemWithMargins = arbitraryProblem({ interruptibleOnly: true }).chain((p) =>
  fc.array(fc.array(fc.integer({ min: 0, max: 1_200 }), { minLength: p.hours, maxLength: p.hours }), { minLength: p.sites.length, maxLength: p.sites.length }).map((margins) => ({
    ...p,
    sites: p.sites.map((s, i) => ({ ...s, marginalIntensityGPerKwh: margins[i] })),
  })),
);

/** The checker's verdict on `result` after `tamper` changed a copy of it. */
function checkTampered(p: Problem, result: PlanResult, tamper: (copy: PlanResult) => void) {
  const copy = structuredClone(result);
  tamper(copy);
  return checkPlanResult(p, copy);
}

describe('side-by-side accounting properties', () => {
  it('keeps CFE scores in [0, 1], equal to green MWh / energy MWh without storage, and the checker rejects tampered figures', async () => {
    await fc.assert(
      fc.asyncProperty(problemWithMargins, async (p) => {
        const result = await planProblem(p);
        expect(result.check.passed).toBe(true);
        for (const schedule of [result.plan!, result.baseline]) {
          const { cfeScore, annualMatchingScore, energyMwh, greenMwh } = schedule.totals;
          expect(cfeScore).toBeGreaterThanOrEqual(0);
          expect(cfeScore).toBeLessThanOrEqual(1 + 1e-12);
          expect(cfeScore).toBeCloseTo(energyMwh > 0 ? greenMwh / energyMwh : 0, 9);
          expect(annualMatchingScore).toBeGreaterThanOrEqual(cfeScore - 1e-12);
          for (const accounts of schedule.sites) expect(accounts.cfeScore).toBeGreaterThanOrEqual(0);
        }

        const rejected = (tamper: (copy: PlanResult) => void) => checkTampered(p, result, tamper).passed;
        expect(rejected((r) => (r.summary.cfeScore += 0.01))).toBe(false);
        expect(rejected((r) => (r.baseline.totals.annualMatchingScore += 0.01))).toBe(false);
        expect(rejected((r) => (r.plan!.sites[0].cfeServedMw[0] += 0.001))).toBe(false);
        expect(rejected((r) => (r.baseline.sites[0].marginalEmissionsKg![0] += 0.5))).toBe(false);
        expect(rejected((r) => (r.summary.baselineMarginalEmissionsKg! += 0.5))).toBe(false);
        expect(rejected((r) => delete r.summary.marginalCarbonSavedKg)).toBe(false);
        expect(rejected((r) => delete r.plan!.sites[0].marginalEmissionsKg)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});
