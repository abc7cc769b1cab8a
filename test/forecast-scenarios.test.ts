import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem, RiskMeasureData } from '../solver/problem/Problem.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { buildModel } from '../solver/model/buildModel.js';
import { modelSize } from '../solver/model/LinearModel.js';
import { naiveModelSize } from '../solver/model/naiveModelSize.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { CoschedError } from '../solver/errors/CoschedError.js';
import { RiskMeasure } from '../src/generated/cosched/v1/forecast_scenarios.js';
import { formatPlanText } from '../src/report/formatPlanText.js';
import { toPlanResponse } from '../src/report/toPlanResponse.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { hour, job, request, site } from './factories/planRequests.js';

/**
 * One site, two hours, 500 g/kWh; one block job of 1 MW for one hour, either hour. Scenario A
 * (p = 0.8, the site's own forecast): 1 MW of green in hour 0, 0.5 MW in hour 1. Scenario B
 * (p = 0.2): no green in hour 0. Hour 0 costs 0 kg in A and 500 kg in B (expected 100, worst
 * 500); hour 1 costs 250 kg in both (expected 250, worst 250).
 */
function windOrNot(riskMeasure: RiskMeasure, cvarAlpha = 0) {
  return validatePlanRequest(
    request(
      2,
      [site('a', [1, 0.5], [500, 500], { gpuCapacity: 1000, pue: 1 })],
      [job('j', 'a', { gpuHours: 1000, maxGpus: 1000, gpuPowerKw: 1, release: hour(0), deadline: hour(2), interruptible: false })],
      {
        objective: { carbonWeight: 1, costWeight: 0, riskMeasure, cvarAlpha },
        forecastScenarios: [
          { name: 'A', probability: 0.8, sites: [] },
          { name: 'B', probability: 0.2, sites: [{ siteId: 'a', greenSupplyMw: [0, 0.5], carbonIntensityGPerKwh: [] }] },
        ],
      },
    ),
  );
}

const startHour = (result: Awaited<ReturnType<typeof planProblem>>) => result.plan!.jobs[0].runs[0].startHour;

describe('forecast scenarios, solved by hand', () => {
  it('the expected plan bets on the wind (hour 0); the robust one does not (hour 1)', async () => {
    const expected = await planProblem(windOrNot(RiskMeasure.RISK_MEASURE_EXPECTED));
    expect(startHour(expected)).toBe(0);
    expect(expected.scenarios!.outcomes.map((o) => o.plan!.totals.emissionsKg)).toEqual([0, 500]);
    expect(expected.scenarios!.expectedEmissionsKg).toBeCloseTo(100, 9);
    expect(expected.summary.emissionsKg).toBeCloseTo(100, 9);
    expect(expected.scenarios!.worstEmissionsKg).toBeCloseTo(500, 9);
    // The baseline starts at the release, hour 0, too.
    expect(expected.summary.carbonSavedKg).toBeCloseTo(0, 9);

    const worst = await planProblem(windOrNot(RiskMeasure.RISK_MEASURE_WORST_CASE));
    expect(startHour(worst)).toBe(1);
    expect(worst.scenarios!.outcomes.map((o) => o.plan!.totals.emissionsKg)).toEqual([250, 250]);
    expect(worst.summary.emissionsKg).toBeCloseTo(250, 9);
    expect(worst.scenarios!.baselineWorstEmissionsKg).toBeCloseTo(500, 9);
    expect(worst.scenarios!.riskMeasure).toBe('worst');
  });

  it('CVaR at 0.5 (the worst half: B and 0.3 of A) still bets on the wind: 200 kg < 250; at 0.9 it does not: 500 > 250', async () => {
    const half = await planProblem(windOrNot(RiskMeasure.RISK_MEASURE_CVAR, 0.5));
    expect(startHour(half)).toBe(0);
    expect(half.scenarios!.cvarEmissionsKg).toBeCloseTo(200, 9);
    const tail = await planProblem(windOrNot(RiskMeasure.RISK_MEASURE_CVAR));
    expect(tail.scenarios!.cvarLevel).toBe(0.9);
    expect(startHour(tail)).toBe(1);
    expect(tail.scenarios!.cvarEmissionsKg).toBeCloseTo(250, 9);
  });

  it('reports every scenario in the response and the text', async () => {
    const problem = windOrNot(RiskMeasure.RISK_MEASURE_WORST_CASE);
    const result = await planProblem(problem);
    const response = toPlanResponse(problem, result);
    expect(response.scenarios?.riskMeasure).toBe(RiskMeasure.RISK_MEASURE_WORST_CASE);
    expect(response.scenarios?.scenarios.map((s) => [s.name, s.probability, s.emissionsKg, s.baselineEmissionsKg])).toEqual([
      ['A', 0.8, 250, 0],
      ['B', 0.2, 250, 500],
    ]);
    const text = formatPlanText(problem, result);
    expect(text).toMatch(/Forecast scenarios \(the plan minimised the worst scenario/);
    expect(text).toMatch(/\n {2}B +0\.20 +250\.0 +500\.0 +250\.0\n/);
  });
});

describe('forecast scenario validation', () => {
  it('names every bad field: probabilities, names, sites, lengths, the risk measure', () => {
    const bad = request(2, [site('a', [1, 1], [1, 1])], [job('j', 'a', { release: hour(0), deadline: hour(2) })], {
      objective: { carbonWeight: 1, costWeight: 0, riskMeasure: RiskMeasure.RISK_MEASURE_WORST_CASE, cvarAlpha: 0.5 },
      forecastScenarios: [
        { name: 'P10', probability: 0.3, sites: [{ siteId: 'b', greenSupplyMw: [1], carbonIntensityGPerKwh: [] }] },
        { name: 'P10', probability: 0.3, sites: [{ siteId: 'a', greenSupplyMw: [1, -2], carbonIntensityGPerKwh: [] }] },
      ],
    });
    let error: unknown;
    try {
      validatePlanRequest(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoschedError);
    const lines = (error as CoschedError).violations.map((v) => `${v.field}: ${v.description}`);
    expect(lines).toEqual([
      expect.stringMatching(/^forecastScenarios\[0\]\.sites\[0\]\.siteId: got "b"; expected the id of a site of the request \(a\)/),
      'forecastScenarios[0].sites[0].greenSupplyMw: got 1 value; expected 2 (horizon.hours) or none',
      expect.stringMatching(/^forecastScenarios\[1\]\.name: got "P10", which is already the name of forecastScenarios\[0\]/),
      expect.stringMatching(/^forecastScenarios\[1\]\.sites\[0\]\.greenSupplyMw\[1\]: got -2; expected/),
      'forecastScenarios: got probabilities adding up to 0.6; expected them to add up to 1 (within 0.000001)',
      'objective.cvarAlpha: got 0.5 with riskMeasure RISK_MEASURE_WORST_CASE; expected 0 (unset) unless riskMeasure is RISK_MEASURE_CVAR',
    ]);
  });
});

describe('forecast scenarios on random instances', () => {
  const withScenarios = arbitraryProblem({ withStorage: true, tightCapacity: true }).chain((p) =>
    fc
      .record({
        factors: fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: p.hours, maxLength: p.hours }), { minLength: 2, maxLength: 3 }),
        weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
      })
      .map(({ factors, weights }): Problem => {
        const total = weights.slice(0, factors.length).reduce((a, b) => a + b, 0);
        return {
          ...p,
          scenarios: factors.map((factor, k) => ({
            name: `k${k}`,
            probability: weights[k] / total,
            greenSupplyMw: p.sites.map((site) => site.greenSupplyMw.map((g, t) => (g * factor[t]) / 10)),
            carbonIntensityGPerKwh: p.sites.map((site) => site.carbonIntensityGPerKwh),
          })),
        };
      }),
  );
  const withRisk = (p: Problem, risk: RiskMeasureData): Problem => ({ ...p, objective: { ...p.objective, risk } });

  it('every plan passes the checker; each risk measure is best at what it minimises', async () => {
    await fc.assert(
      fc.asyncProperty(withScenarios, async (p) => {
        const expected = await planProblem(withRisk(p, { kind: 'expected' }));
        const worst = await planProblem(withRisk(p, { kind: 'worst' }));
        const cvar = await planProblem(withRisk(p, { kind: 'cvar', alpha: 0.5 }));
        for (const r of [expected, worst, cvar]) expect(r.termination).toBe('optimal');
        // Only comparable when they do the same work (unmet work is minimised first).
        fc.pre(Math.abs(expected.summary.unmetGpuHours - worst.summary.unmetGpuHours) < 1e-6 && Math.abs(expected.summary.unmetGpuHours - cvar.summary.unmetGpuHours) < 1e-6);
        const slack = (x: number) => 1e-6 * Math.max(1, Math.abs(x)) + 1e-6;
        expect(worst.scenarios!.worstEmissionsKg).toBeLessThanOrEqual(expected.scenarios!.worstEmissionsKg + slack(expected.scenarios!.worstEmissionsKg));
        expect(expected.scenarios!.expectedEmissionsKg).toBeLessThanOrEqual(worst.scenarios!.expectedEmissionsKg + slack(worst.scenarios!.expectedEmissionsKg));
        const cvarOf = (r: typeof expected) => r.scenarios!.outcomes.map((o) => o.plan!.totals.emissionsKg);
        const tail = (values: number[]) => {
          const pairs = values.map((v, k) => ({ v, q: p.scenarios![k].probability })).sort((a, b) => b.v - a.v);
          let left = 0.5;
          let sum = 0;
          for (const { v, q } of pairs) {
            const take = Math.min(q, Math.max(0, left));
            sum += take * v;
            left -= take;
          }
          return sum / 0.5;
        };
        expect(tail(cvarOf(cvar))).toBeLessThanOrEqual(tail(cvarOf(expected)) + slack(tail(cvarOf(expected))));
        expect(tail(cvarOf(cvar))).toBeLessThanOrEqual(tail(cvarOf(worst)) + slack(tail(cvarOf(worst))));
      }),
      { numRuns: 20 },
    );
  });
});

describe('naiveModelSize with batteries and forecast scenarios', () => {
  it('counts the naive model exactly, in every stage and under every risk measure', () => {
    const instances = arbitraryProblem({ withStorage: true, withMinGpus: true }).chain((p) =>
      fc.record({ k: fc.integer({ min: 0, max: 3 }), risk: fc.constantFrom<RiskMeasureData | undefined>(undefined, { kind: 'worst' }, { kind: 'cvar', alpha: 0.8 }) }).map(({ k, risk }): Problem => ({
        ...p,
        objective: { ...p.objective, ...(risk ? { risk } : {}) },
        ...(k > 0
          ? {
              scenarios: Array.from({ length: k }, (_, i) => ({
                name: `k${i}`,
                probability: 1 / k,
                greenSupplyMw: p.sites.map((site) => site.greenSupplyMw.map((g) => g * (i + 1) / 2)),
                carbonIntensityGPerKwh: p.sites.map((site) => site.carbonIntensityGPerKwh.map((c) => (i === 0 ? 0 : c))),
              })),
            }
          : {}),
      })),
    );
    fc.assert(
      fc.property(instances, (p) => {
        for (const stage of [undefined, { kind: 'minUnmet' } as const, { kind: 'lexicographic', unmetCap: 1 } as const]) {
          expect(naiveModelSize(p, stage)).toEqual(modelSize(buildModel(p, stage, { reductions: false }).model));
        }
      }),
      { numRuns: 60 },
    );
  });
});
