import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel, defaultUnmetPenalty } from '../solver/model/buildModel.js';
import type { Problem } from '../solver/problem/Problem.js';
import { HighsInThisThread } from '../solver/solve/HighsInThisThread.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job, problem, site } from './factories/problems.js';
import { expectFeasible } from './helpers/expectFeasible.js';

/**
 * greedyStart (LinearModel.start of a pure LP) is a feasible point of the model it belongs to,
 * and starting HiGHS from it changes how fast the optimum is found, never the optimum.
 */

const relativelyClose = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

/** Interruptible jobs only (a pure LP), with grid import limits, prices, tight sites and empty windows. */
const arbitraryLp: fc.Arbitrary<Problem> = fc
  .tuple(
    fc.oneof(
      arbitraryProblem({ interruptibleOnly: true, withLimits: true, withEmptyWindows: true }),
      arbitraryProblem({ interruptibleOnly: true, withLimits: true, tightCapacity: true }),
    ),
    fc.constantFrom({ carbonWeight: 1, costWeight: 0 }, { carbonWeight: 0.5, costWeight: 2 }, { carbonWeight: 0, costWeight: 1 }),
  )
  .map(([p, objective]) => ({ ...p, objective }));

describe('the greedy start of an LP', () => {
  it('is feasible for the model, and the optimum is the same with and without it', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryLp, async (p) => {
        const stage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) } as const;
        const withStart = buildModel(p, stage).model;
        const withoutStart = buildModel(p, stage, { start: false }).model;
        const naive = buildModel(p, stage, { reductions: false }).model;
        expect(withoutStart.start).toBeUndefined();
        expect(withStart.start).toBeDefined();
        expectFeasible(withStart, withStart.start!);
        expectFeasible(naive, naive.start!);

        // Through the HiGHS worker thread: the start reaches HiGHS (startUsed), and only when there is one.
        const options = { timeLimitSeconds: 5, mipGap: 1e-9 };
        const a = await solveModel(withStart, 'highs', options);
        const b = await solveModel(withoutStart, 'highs', options);
        expect(a.termination).toBe('optimal');
        expect(b.termination).toBe('optimal');
        expect(a.startUsed).toBe(true);
        expect(b.startUsed).toBeUndefined();
        expect(relativelyClose(a.objective!, b.objective!), `with start ${a.objective} vs without ${b.objective}`).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('fills the green hours first and keeps the grid import limit', () => {
    // One site, 4 hours, green only in hours 1 and 3 (10 MW), a 4 kW grid import limit; one job of
    // 24 GPU-hours at up to 8 GPUs of 1 kW.
    const p = problem(4, [site('a', [0, 0.01, 0, 0.01], [500, 500, 500, 500], { gridImportLimitMw: 0.004 })], [job('j', 4, { gpuHours: 24, maxGpus: 8 })]);
    const built = buildModel(p);
    const start = built.model.start!;
    expectFeasible(built.model, start);
    const byHour = built.jobs[0].cells.map((cell) => start[cell.col]);
    // The green hours take 8 GPUs each; the others only the 4 GPUs that 4 kW of import allows.
    expect(byHour).toEqual([4, 8, 4, 8]);
    expect(start[built.jobs[0].unmetCol]).toBe(0);
  });

  // HiGHS usually reports the basis it built from the start as its own feasible point; when it has
  // none, the adapter returns the start itself (solverStatus names it). Either way: a feasible plan.
  it('gives a feasible time-limited plan when the time limit ends the simplex early', async () => {
    // A week, 4 sites, 200 jobs (about 50,000 columns): HiGHS needs far more than 50 ms.
    const hours = 168;
    const sites = [0, 1, 2, 3].map((s) =>
      site(`s${s}`, Array.from({ length: hours }, (_, t) => ((t + 7 * s) % 24 < 10 ? 0.05 : 0)), Array.from({ length: hours }, (_, t) => 300 + ((t * 37 + s * 101) % 400)), { gpuCapacity: 64 }),
    );
    const jobs = Array.from({ length: 200 }, (_, j) =>
      job(`j${j}`, hours, { gpuHours: 40 + ((j * 13) % 80), maxGpus: 8 + ((j * 5) % 24), allowedSites: [0, 1, 2, 3], windowStart: j % 48, windowEnd: hours - (j % 37) }),
    );
    const p = problem(hours, sites, jobs);
    const model = buildModel(p).model;
    const outcome = await new HighsInThisThread().solve(model, { timeLimitSeconds: 0.05, mipGap: 1e-4 });
    expect(outcome.termination).toBe('time_limit_feasible');
    expect(outcome.values).toBeDefined();
    expectFeasible(model, outcome.values!);
    if (/greedy start/.test(outcome.solverStatus)) expect(Array.from(outcome.values!)).toEqual(Array.from(model.start!));
  });

  it('is not made for a MILP, nor for the later stages', () => {
    const hours = 4;
    const sites = [site('a', [0, 10, 0, 10], [500, 400, 300, 200], { gpuCapacity: 16 })];
    const milp = problem(hours, sites, [job('block', hours, { gpuHours: 16, interruptible: false })]);
    expect(buildModel(milp).model.start).toBeUndefined();
    const lp = problem(hours, sites, [job('j', hours, { gpuHours: 16 })]);
    expect(buildModel(lp, { kind: 'minUnmet' }).model.start).toBeUndefined();
    expect(buildModel(lp, { kind: 'lexicographic', unmetCap: 0 }).model.start).toBeUndefined();
  });
});
