import { describe, expect, it } from 'vitest';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { Termination } from '../src/generated/cosched/v1/plan_response.js';
import type { FrontierPoint } from '../src/generated/cosched/v1/what_if.js';
import { formatFrontierTable } from '../src/whatif/formatFrontierTable.js';
import { paretoFrontier, type WeightedPlan } from '../src/whatif/paretoFrontier.js';
import { sweepFrontier, type FrontierProgress } from '../src/whatif/sweepFrontier.js';
import { job, request, site } from './factories/planRequests.js';
import { cheapDirtyOrCleanDear, inThreadPlanner, northEastSixHours } from './factories/whatIfRequests.js';

/** Cost never falls and emissions fall strictly along the frontier. */
function expectMonotone(points: readonly FrontierPoint[]): void {
  for (let i = 1; i < points.length; i++) {
    expect(points[i].cost).toBeGreaterThan(points[i - 1].cost);
    expect(points[i].emissionsKg).toBeLessThan(points[i - 1].emissionsKg);
  }
}

/** The plan that minimises only carbon, or only cost. */
async function planWithWeights(requestToPlan: ReturnType<typeof cheapDirtyOrCleanDear>, carbonWeight: number, costWeight: number) {
  return inThreadPlanner(validatePlanRequest({ ...requestToPlan, objective: { carbonWeight, costWeight, riskMeasure: 0, cvarAlpha: 0 } }));
}

describe('the carbon-versus-cost frontier', () => {
  it('finds each corner of a real trade-off, cheapest first, with what each tonne saved costs', async () => {
    const progress: FrontierProgress[] = [];
    const frontier = await sweepFrontier(cheapDirtyOrCleanDear(), inThreadPlanner, { onProgress: (p) => progress.push(p) });
    expect(frontier.warnings).toEqual([]);
    const { points } = frontier;
    expect(points.map((p) => [p.emissionsKg, p.cost])).toEqual([
      [expect.closeTo(12.8, 9), expect.closeTo(0.32, 9)],
      [expect.closeTo(6.4, 9), expect.closeTo(0.8, 9)],
      [expect.closeTo(0.8, 9), expect.closeTo(1.92, 9)],
    ]);
    expectMonotone(points);
    expect(points.map((p) => p.marginalCostPerTonne)).toEqual([0, expect.closeTo(75, 6), expect.closeTo(200, 6)]);
    expect(points.every((p) => p.termination === Termination.TERMINATION_OPTIMAL && p.unmetGpuHours === 0)).toBe(true);
    // Two ends, one weight between them that finds `middle`, two that find nothing new.
    expect(progress.filter((p) => p.kind === 'finished')).toHaveLength(5);
  });

  it('ends at the min-cost and the min-carbon plans', async () => {
    const frontier = await sweepFrontier(cheapDirtyOrCleanDear(), inThreadPlanner);
    const minCost = await planWithWeights(cheapDirtyOrCleanDear(), 0, 1);
    const minCarbon = await planWithWeights(cheapDirtyOrCleanDear(), 1, 0);
    const cheapest = frontier.points[0];
    const cleanest = frontier.points[frontier.points.length - 1];
    expect(cheapest.cost).toBeCloseTo(minCost.summary.cost, 9);
    expect(cleanest.emissionsKg).toBeCloseTo(minCarbon.summary.emissionsKg, 9);
  });

  it('stays monotone on a mixed LP and MILP request with green supply and time-of-day trade-offs', async () => {
    const mixed = northEastSixHours();
    mixed.sites[0].pricePerMwh = [120, 120, 60, 60, 90, 90];
    mixed.sites[1].pricePerMwh = [20, 10, 30, 25, 15, 40];
    mixed.sites[1].carbonIntensityGPerKwh = [600, 500, 700, 400, 650, 800];
    const frontier = await sweepFrontier(mixed, inThreadPlanner, { points: 8 });
    expect(frontier.points.length).toBeGreaterThanOrEqual(3);
    expectMonotone(frontier.points);
    // Weighted-sum corners lie on a convex curve: each further tonne costs at least as much.
    const marginal = frontier.points.map((p) => p.marginalCostPerTonne);
    for (let i = 2; i < marginal.length; i++) expect(marginal[i]).toBeGreaterThanOrEqual(marginal[i - 1] - 1e-6);
    const minCost = await planWithWeights(mixed, 0, 1);
    const minCarbon = await planWithWeights(mixed, 1, 0);
    expect(frontier.points[0].cost).toBeCloseTo(minCost.summary.cost, 6);
    expect(frontier.points[frontier.points.length - 1].emissionsKg).toBeCloseTo(minCarbon.summary.emissionsKg, 6);
  });

  it('is one point, with a warning, when nothing has a price', async () => {
    const unpriced = request(2, [site('a', [0, 0], [100, 500]), site('b', [0, 0], [300, 300])], [job('j', 'a', { deadline: cheapDirtyOrCleanDear().jobs[0].deadline })]);
    const frontier = await sweepFrontier(unpriced, inThreadPlanner);
    expect(frontier.points).toHaveLength(1);
    expect(frontier.points[0].costWeight).toBe(0);
    expect(frontier.warnings).toEqual(['no site has a price, so every plan costs 0: the frontier is the min-carbon plan alone']);
  });

  it('refuses a points budget outside 2..100', async () => {
    await expect(sweepFrontier(cheapDirtyOrCleanDear(), inThreadPlanner, { points: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ field: 'points', description: 'got 1; expected an integer 2..100' }],
    });
  });
});

describe('keeping the Pareto points', () => {
  const plan = (costWeight: number, cost: number, emissionsKg: number, extra: Partial<WeightedPlan> = {}): WeightedPlan => ({
    costWeight,
    cost,
    emissionsKg,
    termination: 'optimal',
    hasPlan: true,
    unmetGpuHours: 0,
    ...extra,
  });

  it('drops duplicates and dominated points, and warns about a time-limited one that breaks monotonicity', () => {
    const { points, warnings } = paretoFrontier([
      plan(100, 10, 500),
      plan(1, 20, 300),
      plan(1.5, 20, 300),
      plan(0.5, 25, 350, { termination: 'time_limit_feasible' }),
      plan(0.01, 40, 100),
      plan(0.001, 40.000001, 100),
      plan(0.0001, 40, 100.5),
    ]);
    expect(points.map((p) => [p.cost, p.emissionsKg])).toEqual([
      [10, 500],
      [20, 300],
      [40, 100],
    ]);
    expect(points.map((p) => p.marginalCostPerTonne)).toEqual([0, 50, 100]);
    expect(warnings).toEqual([
      'cost weight 0.5: the time-limited plan (cost 25.00, 350.00 kg) is dominated by the plan at cost weight 1 (cost 20.00, 300.00 kg); the point is left out',
    ]);
  });

  it('leaves out points without a schedule or with more unmet work', () => {
    const { points, warnings } = paretoFrontier([
      plan(1, 10, 500),
      plan(0.1, 5, 50, { unmetGpuHours: 8, termination: 'time_limit_feasible' }),
      plan(0.01, 0, 0, { hasPlan: false, termination: 'time_limit_no_solution' }),
      plan(0.001, 30, 200),
    ]);
    expect(points.map((p) => p.costWeight)).toEqual([1, 0.001]);
    expect(warnings).toEqual([
      'cost weight 0.01: no schedule (time_limit_no_solution); the point is left out',
      'cost weight 0.1: 8.00 GPU-hours more unmet work than the other points (time_limit_feasible); the point is left out',
    ]);
  });

  it('prints the frontier as a table, cheapest first', async () => {
    const { points } = await sweepFrontier(cheapDirtyOrCleanDear(), inThreadPlanner);
    const table = formatFrontierTable(points.map((p) => ({ ...p, costWeight: Number(p.costWeight.toPrecision(3)) })));
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^#\s+cost weight\s+emissions t\s+cost\s+cost per t saved\s+unmet GPU-h$/);
    expect(lines.slice(2, 5).map((line) => line.trim().split(/\s+/).slice(2, 5))).toEqual([
      ['0.0128', '0.32', '-'],
      ['0.0064', '0.80', '75.0'],
      ['0.0008', '1.92', '200.0'],
    ]);
    expect(lines[5]).toBe('cheapest to cleanest: 0.0120 t saved for 1.60 more cost (133.3 per t on average)');
    expect(formatFrontierTable(points)).toBe(formatFrontierTable(points));
  });
});
