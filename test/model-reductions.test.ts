import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountSchedule } from '../solver/accounting/accountSchedule.js';
import { buildModel, defaultUnmetPenalty, type BuiltModel, type ModelStage } from '../solver/model/buildModel.js';
import { decodeSolution } from '../solver/model/decodeSolution.js';
import { modelSize, type LinearModel, type ModelSize } from '../solver/model/LinearModel.js';
import { naiveModelSize } from '../solver/model/naiveModelSize.js';
import type { Problem } from '../solver/problem/Problem.js';
import type { SolveOutcome } from '../solver/solve/SolveOutcome.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job, problem, site } from './factories/problems.js';

/**
 * buildModel's reductions (R1..R6 in its maths comment) are exact: the reduced model and the
 * naive one (`{ reductions: false }`) have the same optimum, and the reduced one is never larger.
 */

const solveOptions = { timeLimitSeconds: 5, mipGap: 1e-9 };
const relativelyClose = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Interruptible, minGpus and non-interruptible jobs, too-small sites, empty and too-short windows,
 * limits, prices; half of the instances with little capacity, so that the rows R3 and R4 drop
 * would bind if they were not redundant.
 */
const arbitraryInstance: fc.Arbitrary<Problem> = fc
  .tuple(
    fc.oneof(
      arbitraryProblem({ withMinGpus: true, withLimits: true, withEmptyWindows: true }),
      arbitraryProblem({ withMinGpus: true, withLimits: true, withEmptyWindows: true, tightCapacity: true }),
    ),
    fc.constantFrom({ carbonWeight: 1, costWeight: 0 }, { carbonWeight: 0.5, costWeight: 2 }, { carbonWeight: 0, costWeight: 1 }),
  )
  .map(([p, objective]) => ({ ...p, objective }));

function buildBoth(p: Problem, stage: ModelStage): { reduced: BuiltModel; naive: BuiltModel } {
  // Without the cuts (gridFloor), which add rows; test/block-job-cuts.test.ts checks that they keep the optimum.
  return { reduced: buildModel(p, stage, { cuts: false }), naive: buildModel(p, stage, { reductions: false }) };
}

function expectNeverSmaller(naive: ModelSize, reduced: ModelSize): void {
  expect(naive.variables).toBeGreaterThanOrEqual(reduced.variables);
  expect(naive.constraints).toBeGreaterThanOrEqual(reduced.constraints);
  expect(naive.integerVariables).toBeGreaterThanOrEqual(reduced.integerVariables);
  expect(naive.nonzeros).toBeGreaterThanOrEqual(reduced.nonzeros);
}

/**
 * Every jobCap/siteCapacity row of the naive model that the reduced model leaves out (R3, R4) is
 * implied by the reduced model's column bounds: its largest activity, with each block job
 * contributing at most its largest entry (Σ start <= 1), is within the row's bound. Columns the
 * reduced model does not have count as 0 (that they are 0 in the naive optimum is R1's part,
 * checked by the solves). Needs no solve, so it catches an unsound skip even where it would not
 * change the optimum of this instance.
 */
function expectDroppedRowsRedundant(reduced: LinearModel, naive: LinearModel): void {
  const reducedRows = new Set(reduced.rowNames);
  const reducedUpper = new Map(reduced.colNames.map((name, c) => [name, reduced.colUpper[c]]));
  naive.rowNames.forEach((row, r) => {
    if (reducedRows.has(row) || !/^(jobCap|siteCapacity)\(/.test(row)) return;
    let activity = 0;
    const largestStart = new Map<string, number>();
    for (let k = naive.rowStart[r]; k < naive.rowStart[r + 1]; k++) {
      const name = naive.colNames[naive.index[k]];
      const most = naive.value[k] * (reducedUpper.get(name) ?? 0);
      if (name.startsWith('start(')) {
        const jobLabel = name.slice('start('.length, name.indexOf(','));
        largestStart.set(jobLabel, Math.max(largestStart.get(jobLabel) ?? 0, most));
      } else {
        activity += most;
      }
    }
    for (const most of largestStart.values()) activity += most;
    expect(activity, `${row} is left out, but its columns can reach ${activity} > ${naive.rowUpper[r]}`).toBeLessThanOrEqual(naive.rowUpper[r] + 1e-9);
  });
}

/** Solves both models and checks that they agree; returns the naive model's outcome. */
async function expectSameOptimum(reduced: LinearModel, naive: LinearModel): Promise<{ reducedOutcome: SolveOutcome; naiveOutcome: SolveOutcome }> {
  const reducedOutcome = await solveModel(reduced, 'highs', solveOptions);
  const naiveOutcome = await solveModel(naive, 'highs', solveOptions);
  expect(naiveOutcome.termination).toBe(reducedOutcome.termination);
  expect(reducedOutcome.termination).toBe('optimal');
  const a = reducedOutcome.objective!;
  const b = naiveOutcome.objective!;
  expect(relativelyClose(a, b), `reduced objective ${a} vs naive ${b}`).toBe(true);
  return { reducedOutcome, naiveOutcome };
}

/** The weighted objective of a decoded plan, from the one accounting definition. */
function weightedObjectiveOfPlan(p: Problem, built: BuiltModel, values: Float64Array, unmetPenalty: number): number {
  const schedule = accountSchedule(p, decodeSolution(p, built, values));
  const unmet = schedule.jobs.reduce((sum, j) => sum + j.unmetGpuHours, 0);
  return p.objective.carbonWeight * schedule.totals.emissionsKg + p.objective.costWeight * schedule.totals.cost + unmetPenalty * unmet;
}

describe('model reductions are exact', () => {
  it("stage 'weighted': the reduced and the naive model have the same optimum; the naive one is never smaller", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryInstance, async (p) => {
        const stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) };
        const { reduced, naive } = buildBoth(p, stage);
        const naiveSize = modelSize(naive.model);
        expect(naiveModelSize(p, stage)).toEqual(naiveSize);
        expectNeverSmaller(naiveSize, modelSize(reduced.model));
        expectDroppedRowsRedundant(reduced.model, naive.model);

        const { naiveOutcome } = await expectSameOptimum(reduced.model, naive.model);
        // The naive model decodes into a plan whose accounted objective is its optimum.
        const accounted = weightedObjectiveOfPlan(p, naive, naiveOutcome.values!, stage.unmetPenalty);
        expect(relativelyClose(accounted, naiveOutcome.objective!), `accounted ${accounted} vs naive objective ${naiveOutcome.objective}`).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("stages 'minUnmet' and 'lexicographic': same optima", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryInstance, async (p) => {
        const minUnmet = buildBoth(p, { kind: 'minUnmet' });
        expectNeverSmaller(modelSize(minUnmet.naive.model), modelSize(minUnmet.reduced.model));
        expectDroppedRowsRedundant(minUnmet.reduced.model, minUnmet.naive.model);
        const { reducedOutcome } = await expectSameOptimum(minUnmet.reduced.model, minUnmet.naive.model);

        // The same cap for both: the minimum unmet work, with room for the solver's tolerance.
        const minimum = reducedOutcome.objective!;
        const stage: ModelStage = { kind: 'lexicographic', unmetCap: minimum + 1e-7 * Math.max(1, minimum) };
        const lexicographic = buildBoth(p, stage);
        expect(naiveModelSize(p, stage)).toEqual(modelSize(lexicographic.naive.model));
        await expectSameOptimum(lexicographic.reduced.model, lexicographic.naive.model);
      }),
      { numRuns: 12 },
    );
  });

  it('a hand-made instance where every reduction fires', async () => {
    const hours = 4;
    const flat = (x: number) => Array.from({ length: hours }, () => x);
    const sites = [
      site('a', flat(0), [500, 100, 300, 200], { gpuCapacity: 10 }),
      site('b', flat(0.002), [400, 400, 50, 400], { gpuCapacity: 10 }),
      site('tiny', flat(0), flat(300), { gpuCapacity: 2 }),
      // No job may use it; its base load is imported from the grid in every hour.
      site('idle', flat(0), flat(700), { gpuCapacity: 10, baseLoadMw: flat(1) }),
    ];
    const jobs = [
      // R1: needs 8 GPUs at once; tiny (2) cannot hold it.
      job('block', hours, { interruptible: false, gpuHours: 16, maxGpus: 8, allowedSites: [0, 2] }),
      // R1: a one-hour block of 2 GPU-hours at 4 GPUs: tiny holds the GPU-hours but not the GPUs.
      job('short', hours, { interruptible: false, gpuHours: 2, maxGpus: 4, allowedSites: [2], homeSite: 2 }),
      // R1: needs at least 3 GPUs when it runs; tiny has 2.
      job('min', hours, { gpuHours: 6, maxGpus: 6, minGpus: 3, allowedSites: [0, 2] }),
      // R3 (one usable site) and R6 (its cells at a are bounded by a's 10 GPUs, not by its maxGpus 12).
      job('wide', hours, { gpuHours: 14, maxGpus: 12, allowedSites: [0] }),
      // R2: its 2-hour window holds at most 8 of its 30 GPU-hours.
      job('cramped', hours, { gpuHours: 30, maxGpus: 4, allowedSites: [1], homeSite: 1, releaseHour: 1, deadlineHour: 3 }),
      // R2: an empty window.
      job('never', hours, { gpuHours: 5, maxGpus: 5, allowedSites: [0, 1], releaseHour: 2, deadlineHour: 2 }),
    ];
    const p = problem(hours, sites, jobs, { objective: { carbonWeight: 1, costWeight: 0 } });
    const stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) };
    const { reduced, naive } = buildBoth(p, stage);
    const r = reduced.model;
    const n = naive.model;

    const count = (names: string[], pattern: RegExp) => names.filter((name) => pattern.test(name)).length;
    const upper = (m: LinearModel, name: string) => m.colUpper[m.colNames.indexOf(name)];
    const lower = (m: LinearModel, name: string) => m.colLower[m.colNames.indexOf(name)];

    // R1: no cells at sites without room for the job; the naive model has them.
    const atTiny = /^(gpus|run|start)\((block|short|min),tiny,/;
    expect(count(r.colNames, atTiny)).toBe(0);
    expect(count(n.colNames, atTiny)).toBe(3 + 4 + 2 * 4); // block: 3 starts; short: 4 starts; min: gpus + run in 4 hours
    expect(count(n.rowNames, /^run(Min|Max)\(min,tiny,/)).toBe(8);
    expect(n.colUpper[n.colNames.indexOf('start(short,tiny,20260701T00)')]).toBe(0); // needs 4 GPUs at once

    // R2: unmet is bounded below by what the window can never hold.
    expect(lower(r, 'unmet(cramped)')).toBe(30 - 8);
    expect(lower(r, 'unmet(never)')).toBe(5);
    expect(lower(r, 'unmet(short)')).toBe(2);
    expect(lower(n, 'unmet(cramped)')).toBe(0);
    expect(lower(n, 'unmet(never)')).toBe(0);

    // R3: jobCap only where the job could exceed maxGpus; never for a single usable site.
    expect(count(r.rowNames, /^jobCap\((wide|cramped|min),/)).toBe(0);
    expect(count(n.rowNames, /^jobCap\(wide,/)).toBe(4);
    expect(count(n.rowNames, /^jobCap\(cramped,/)).toBe(2);
    expect(count(n.rowNames, /^jobCap\(min,/)).toBe(4);

    // R4: at b only `cramped` (4 GPUs) can run, below its 10 GPUs.
    expect(count(r.rowNames, /^siteCapacity\(b,/)).toBe(0);
    expect(count(n.rowNames, /^siteCapacity\(b,/)).toBe(4);
    expect(count(r.rowNames, /^siteCapacity\(a,/)).toBe(4); // block + min + wide can exceed 10

    // R5: no grid column or power balance where no job can run; base load goes into the offset.
    expect(count(r.colNames, /^grid\(idle,/)).toBe(0);
    expect(count(r.rowNames, /^powerBalance\((idle|tiny),/)).toBe(0);
    expect(count(n.colNames, /^grid\(idle,/)).toBe(4);
    expect(count(n.rowNames, /^powerBalance\((idle|tiny),/)).toBe(8);
    expect(r.objectiveOffset).toBeCloseTo(4 * 700, 9); // 1 MW × 700 g/kWh × 4 h
    expect(n.objectiveOffset).toBe(0);

    // R6: a cell's bound is what its site has.
    expect(upper(r, 'gpus(wide,a,20260701T00)')).toBe(10);
    expect(upper(n, 'gpus(wide,a,20260701T00)')).toBe(12);

    expectDroppedRowsRedundant(r, n);
    const reducedSize = modelSize(r);
    const naiveSize = modelSize(n);
    expect(naiveModelSize(p, stage)).toEqual(naiveSize);
    expect(reducedSize.variables).toBeLessThan(naiveSize.variables);
    expect(reducedSize.constraints).toBeLessThan(naiveSize.constraints);
    expect(reducedSize.integerVariables).toBeLessThan(naiveSize.integerVariables);
    expect(reducedSize.nonzeros).toBeLessThan(naiveSize.nonzeros);

    const { naiveOutcome } = await expectSameOptimum(r, n);
    const plan = decodeSolution(p, naive, naiveOutcome.values!);
    // Everything that fits is done: block 16, min 6, wide 14 (36 of a's 40), cramped 8; short and never cannot run.
    expect(plan.map((j) => j.unmetGpuHours)).toEqual([0, 2, 0, 0, 22, 5]);
    expect(plan.flatMap((j) => j.runs).every((run) => run.site !== 2 && run.site !== 3)).toBe(true);
  });
});
