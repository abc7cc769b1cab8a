import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../solver/problem/Problem.js';
import { buildModel } from '../solver/model/buildModel.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { HighsInThisThread } from '../solver/solve/HighsInThisThread.js';
import { loadHighs } from '../solver/solve/loadHighs.js';
import { solveFromRelaxation } from '../solver/solve/solveFromRelaxation.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import type { Link } from '../src/generated/cosched/v1/links.js';
import { arbitraryLinkedProblem } from './factories/arbitraryLinkedProblem.js';
import { hour, job, request, site } from './factories/planRequests.js';
import { expectFeasible } from './helpers/expectFeasible.js';

/**
 * A MILP whose only integers are the data gates ready[j,s,t] is solved from its LP relaxation
 * first (solveFromRelaxation): the rounded relaxation is the answer when it is proven within the
 * gap, and branch and cut starts from it otherwise. Either way the answer is the MILP's optimum
 * within the asked gap.
 */

/** As in links-and-data: east (500 g/kWh) holds 900 GB; west (100 g/kWh) is over one link; window [0, 3). */
function eastWest(bandwidthGbps: number) {
  const flat = (value: number) => [value, value, value, value];
  const links: Link[] = [{ fromSiteId: 'east', toSiteId: 'west', bandwidthGbps }];
  // No options: the default mipGap, 1e-4.
  return validatePlanRequest(request(4, [site('east', flat(0), flat(500)), site('west', flat(0), flat(100))], [job('j1', 'east', { deadline: hour(3), datasetGb: 900 })], { links }));
}

/** True when `problem`'s first-stage model is a MILP that carries a start: one of data gates only. */
function takesRelaxationPath(problem: Problem): boolean {
  const model = buildModel(problem).model;
  return model.start !== undefined && model.colInteger.some((flag) => flag !== 0);
}

describe('a MILP of data gates, from its LP relaxation', () => {
  it('gets a feasible start with every job at its data site', () => {
    const problem = eastWest(2);
    expect(problem.options.mipGap).toBe(1e-4);
    const built = buildModel(problem);
    expect(built.model.colInteger.some((flag) => flag !== 0)).toBe(true);
    expect(built.model.start).toBeDefined();
    expectFeasible(built.model, built.model.start!);
    built.jobs[0].cells.forEach((cell) => {
      if (cell.site !== 0) expect(built.model.start![cell.col]).toBe(0);
    });
  });

  it('2 Gbps: the relaxation is integral, so it is the answer at once (1.344 kg, gap 0)', async () => {
    const highs = await loadHighs();
    const built = buildModel(eastWest(2));
    const outcome = solveFromRelaxation(highs, { model: built.model, timeLimitSeconds: 30, mipGap: 1e-4, progressIntervalMs: 0 });
    expect(outcome.result).toBeDefined();
    expect(outcome.result!.mipGap).toBe(0);
    expectFeasible(built.model, outcome.result!.values!);
    const plan = await planProblem(eastWest(2));
    expect(plan.termination).toBe('optimal');
    expect(plan.summary.emissionsKg).toBeCloseTo(1.344, 6);
  });

  it('1 Gbps: the relaxation counts half the data as half a gate, rounding cannot prove the gap, branch and cut answers (4.032 kg)', async () => {
    const highs = await loadHighs();
    const built = buildModel(eastWest(1));
    const outcome = solveFromRelaxation(highs, { model: built.model, timeLimitSeconds: 30, mipGap: 1e-4, progressIntervalMs: 0 });
    expect(outcome.result).toBeUndefined();
    // The rounded relaxation is still a feasible point: branch and cut's first incumbent.
    expectFeasible(built.model, outcome.incumbent);
    const plan = await planProblem(eastWest(1));
    expect(plan.termination).toBe('optimal');
    expect(plan.summary.emissionsKg).toBeCloseTo(4.032, 6);
    expect(plan.check.passed).toBe(true);
  });

  it('on random problems with data: the same optimum, within the gap, as branch and cut without the start', async () => {
    const solver = new HighsInThisThread();
    let fromRelaxation = 0;
    await fc.assert(
      // Only problems whose model takes the path: a start and integers (data gates). About one
      // linked problem in eight does; filtering (not skipping inside) makes every run count.
      fc.asyncProperty(arbitraryLinkedProblem().filter(takesRelaxationPath), async (problem) => {
        const withStart = buildModel(problem).model;
        if (withStart.start === undefined) throw new Error('filtered for a start');
        fromRelaxation++;
        expectFeasible(withStart, withStart.start);
        const withoutStart = { ...withStart, start: undefined };
        const gap = 1e-4;
        const a = await solver.solve(withStart, { timeLimitSeconds: 30, mipGap: gap });
        const b = await solver.solve(withoutStart, { timeLimitSeconds: 30, mipGap: 1e-9 });
        expect(a.termination).toBe('optimal');
        expect(b.termination).toBe('optimal');
        expect(a.startUsed).toBe(true);
        expectFeasible(withStart, a.values!);
        expect(a.mipGap).toBeLessThanOrEqual(gap);
        const scale = Math.max(1, Math.abs(b.objective!));
        expect(a.objective!).toBeGreaterThanOrEqual(b.objective! - 1e-6 * scale);
        expect(a.objective!).toBeLessThanOrEqual(b.objective! + gap * scale + 1e-6);
      }),
      { numRuns: 40 },
    );
    // Every run met the path it is about.
    expect(fromRelaxation).toBe(40);
  }, 60_000);
});
