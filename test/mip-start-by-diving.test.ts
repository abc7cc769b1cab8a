import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel, defaultUnmetPenalty, type ModelStage } from '../solver/model/buildModel.js';
import type { LinearModel } from '../solver/model/LinearModel.js';
import type { Problem } from '../solver/problem/Problem.js';
import { loadHighs } from '../solver/solve/loadHighs.js';
import { mipStartByDiving } from '../solver/solve/mipStartByDiving.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { expectFeasible } from './helpers/expectFeasible.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job, problem, site } from './factories/problems.js';

/**
 * mipStartByDiving gives HiGHS a start for MILPs of blocks: a feasible point of the model (every
 * bound and row, binaries exactly 0 or 1), never better than the optimum, and none for MILPs with
 * other integer columns.
 */

const highs = await loadHighs();

/** Blocks that fit their windows, with interruptible jobs among them; some with little capacity. */
const arbitraryInstance: fc.Arbitrary<Problem> = fc
  .tuple(
    fc.oneof(arbitraryProblem({ withLimits: true }), arbitraryProblem({ withLimits: true, tightCapacity: true })),
    fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  )
  .map(([p, blocks]) => ({
    ...p,
    jobs: p.jobs.map((j, i) =>
      j.interruptible && !blocks[i] ? j : { ...j, interruptible: false, gpuHours: Math.max(1, Math.min(j.gpuHours, j.maxGpus * (j.windowEnd - j.windowStart))) },
    ),
  }));

/** Every bound and row of `m` holds at `x` (within 1e-6 relative), integers exactly integral. */

const objectiveAt = (m: LinearModel, x: Float64Array) => x.reduce((sum, v, c) => sum + m.colCost[c] * v, m.objectiveOffset);

describe('mipStartByDiving', () => {
  it('gives a feasible point of the model, no better than the optimum; none farther than asked from the LP bound', async () => {
    let starts = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryInstance, async (p) => {
        const stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) };
        const m = buildModel(p, stage).model;
        if (!m.colInteger.some((flag) => flag !== 0)) return;
        const start = mipStartByDiving(highs, m, 10);
        expect(start, 'a MILP of blocks only gets a start').toBeDefined();
        expectFeasible(m, start!, 1e-6);
        const optimum = await solveModel(m, 'highs', { timeLimitSeconds: 10, mipGap: 1e-9 });
        expect(optimum.termination).toBe('optimal');
        expect(objectiveAt(m, start!)).toBeGreaterThanOrEqual(optimum.objective! - 1e-6 * Math.max(1, Math.abs(optimum.objective!)));
        starts++;
        // With maxGapToLpBound 0, only a start as good as the LP bound is returned.
        const relaxation = await solveModel({ ...m, colInteger: m.colInteger.map(() => 0) }, 'highs', { timeLimitSeconds: 10, mipGap: 0 });
        const exact = mipStartByDiving(highs, m, 10, 0);
        const startGap = (objectiveAt(m, start!) - relaxation.objective!) / Math.max(1, Math.abs(objectiveAt(m, start!)));
        if (startGap > 1e-6) {
          expect(exact).toBeUndefined();
          refused++;
        }
      }),
      { numRuns: 40, seed: 15 },
    );
    expect(starts).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(0);
  });

  it('leaves a block out when it fits nowhere once the others are placed, and gives no start with other binaries', () => {
    const hours = 2;
    // Two 2-hour blocks of 8 GPUs for one 8-GPU site: one runs, the other's work is unmet.
    const p = problem(hours, [site('a', [0, 0], [300, 300], { gpuCapacity: 8 })], [
      job('first', hours, { interruptible: false, gpuHours: 16, maxGpus: 8 }),
      job('second', hours, { interruptible: false, gpuHours: 16, maxGpus: 8 }),
    ]);
    const m = buildModel(p).model;
    const start = mipStartByDiving(highs, m, 10)!;
    expectFeasible(m, start, 1e-6);
    const unmet = ['unmet(first)', 'unmet(second)'].map((name) => start[m.colNames.indexOf(name)]).sort((a, b) => a - b);
    expect(unmet).toEqual([0, 16]);

    // minGpus gives run binaries, which are not groups of starts.
    const withRun = problem(hours, [site('a', [0, 0], [300, 300], { gpuCapacity: 8 })], [job('min', hours, { gpuHours: 8, maxGpus: 8, minGpus: 2 })]);
    expect(mipStartByDiving(highs, buildModel(withRun).model, 10)).toBeUndefined();
  });

  it("is the solve's first progress event, as an incumbent, before branch and cut reports", async () => {
    // One 2-hour block at a site that is green in hours 1 and 2 only: the dive finds the optimum.
    const p = problem(4, [site('a', [0, 1, 1, 0], [300, 300, 300, 300])], [job('block', 4, { interruptible: false, gpuHours: 16, maxGpus: 8 })]);
    const m = buildModel(p).model;
    const start = mipStartByDiving(highs, m, 10)!;
    expect(start).toBeDefined();
    const progress: Array<{ incumbent?: number }> = [];
    const solved = await solveModel(m, 'highs', { timeLimitSeconds: 10, mipGap: 1e-4, onProgress: (event) => progress.push(event) });
    expect(solved.termination).toBe('optimal');
    expect(progress[0]?.incumbent).toBeCloseTo(objectiveAt(m, start), 9);
    expect(progress[0]?.incumbent).toBeCloseTo(solved.objective!, 6);
  });
});
