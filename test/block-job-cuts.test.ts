import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel, defaultUnmetPenalty, type ModelStage } from '../solver/model/buildModel.js';
import type { LinearModel } from '../solver/model/LinearModel.js';
import type { Problem } from '../solver/problem/Problem.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { maxCutRows } from '../solver/model/maxCutRows.js';
import { planModelSize } from '../src/server/planCost.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { planRequestFromJson } from '../src/data/loadPlanRequest.js';
import { benchmarkSizes, generateInstance } from '../bench/generateInstance.js';
import { arbitraryProblem } from './factories/arbitraryProblems.js';
import { job, problem, site } from './factories/problems.js';

/**
 * The valid inequalities for non-interruptible jobs (gridFloor in buildModel's maths comment) keep
 * the optimum: the model with them and the one without (`{ cuts: false }`) have the same optimal
 * objective, and the optimum of the model without them satisfies every one of them.
 */

const solveOptions = { timeLimitSeconds: 10, mipGap: 1e-9 };
const relativelyClose = (a: number, b: number, tolerance = 1e-6) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

/** Mostly non-interruptible jobs that fit their windows, some with little capacity, some sites with a battery (no gridFloor there). */
const arbitraryInstance: fc.Arbitrary<Problem> = fc
  .tuple(
    fc.oneof(
      arbitraryProblem({ withLimits: true }),
      arbitraryProblem({ withLimits: true, tightCapacity: true }),
      arbitraryProblem({ withStorage: true }),
    ),
    fc.constantFrom({ carbonWeight: 1, costWeight: 0 }, { carbonWeight: 0.5, costWeight: 2 }),
    fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    // Less green supply, so that a block's load often exceeds the green surplus (where the rows are).
    fc.constantFrom(0.2, 0.5, 1),
  )
  .map(([p, objective, blocks, greenScale]) => ({
    ...p,
    objective,
    sites: p.sites.map((s) => ({ ...s, greenSupplyMw: s.greenSupplyMw.map((g) => g * greenScale) })),
    // Blocks short enough to fit their windows (the factory's windows are often too short for the work).
    jobs: p.jobs.map((j, i) =>
      j.interruptible && !blocks[i] ? j : { ...j, interruptible: false, gpuHours: Math.max(1, Math.min(j.gpuHours, j.maxGpus * (j.windowEnd - j.windowStart))) },
    ),
  }));

/** Every row of `rowNames` matching `family` in `withRows`, evaluated at `values` of `without` (columns matched by name). */
function expectRowsHoldAt(withRows: LinearModel, without: LinearModel, values: Float64Array, family: RegExp): number {
  const valueOf = new Map(without.colNames.map((name, c) => [name, values[c]]));
  let checked = 0;
  withRows.rowNames.forEach((row, r) => {
    if (!family.test(row)) return;
    let activity = 0;
    for (let k = withRows.rowStart[r]; k < withRows.rowStart[r + 1]; k++) {
      const value = valueOf.get(withRows.colNames[withRows.index[k]]);
      expect(value, `${withRows.colNames[withRows.index[k]]} of ${row} is not in the model without cuts`).toBeDefined();
      activity += withRows.value[k] * value!;
    }
    expect(activity, `${row} cuts off the optimum of the model without it`).toBeGreaterThanOrEqual(withRows.rowLower[r] - 1e-6);
    expect(activity).toBeLessThanOrEqual(withRows.rowUpper[r] + 1e-6);
    checked++;
  });
  return checked;
}

/**
 * One site `a` over 3 hours with 5 kW of green surplus in each (no base load) and one block of
 * 8 GPUs × 1 kW = 8 kW for one hour, at the given grid intensities: stage 'weighted' with the cuts
 * and without.
 */
function oneBlockOverSurplus(carbonIntensityGPerKwh: number[]): { withCuts: LinearModel; without: LinearModel } {
  const hours = 3;
  const p = problem(hours, [site('a', [0.005, 0.005, 0.005], carbonIntensityGPerKwh, { gpuCapacity: 8 })], [
    job('block', hours, { interruptible: false, gpuHours: 8, maxGpus: 8, gpuPowerKw: 1, allowedSites: [0] }),
  ]);
  const stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) };
  return { withCuts: buildModel(p, stage).model, without: buildModel(p, stage, { cuts: false }).model };
}

describe('cuts for non-interruptible jobs keep the optimum', () => {
  it('gridFloor: the same optimum with and without; the optimum without satisfies every gridFloor row', async () => {
    let rowsChecked = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryInstance, async (p) => {
        const stage: ModelStage = { kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) };
        const withCuts = buildModel(p, stage).model;
        const without = buildModel(p, stage, { cuts: false }).model;
        expect(without.rowNames.some((row) => row.startsWith('gridFloor('))).toBe(false);
        const a = await solveModel(withCuts, 'highs', solveOptions);
        const b = await solveModel(without, 'highs', solveOptions);
        expect(a.termination).toBe('optimal');
        expect(b.termination).toBe('optimal');
        expect(relativelyClose(a.objective!, b.objective!), `with cuts ${a.objective} vs without ${b.objective}`).toBe(true);
        rowsChecked += expectRowsHoldAt(withCuts, without, b.values!, /^gridFloor\(/);
      }),
      { numRuns: 60, seed: 15 },
    );
    // The instances exercise the rows (not only models without any).
    expect(rowsChecked).toBeGreaterThan(10);
  });

  it('a block whose load exceeds the green surplus gets a gridFloor row that lifts the LP bound', async () => {
    const { withCuts, without } = oneBlockOverSurplus([400, 400, 400]);
    expect(withCuts.rowNames.filter((row) => row.startsWith('gridFloor('))).toHaveLength(3);
    // The LP relaxations: without the rows, a third of the block at each of the three starts costs
    // nothing (8/3 kW in each hour, under the 5 kW); with them, it pays for the 3 kW over the surplus.
    const relax = (m: LinearModel): LinearModel => ({ ...m, colInteger: m.colInteger.map(() => 0) });
    const lpWith = await solveModel(relax(withCuts), 'highs', solveOptions);
    const lpWithout = await solveModel(relax(without), 'highs', solveOptions);
    const ip = await solveModel(withCuts, 'highs', solveOptions);
    // 3 kW over the surplus for one hour at 400 g/kWh = 1.2 kg.
    expect(ip.objective).toBeCloseTo(1.2, 9);
    expect(lpWith.objective).toBeCloseTo(1.2, 9);
    expect(lpWithout.objective!).toBeLessThan(1.2 - 1e-6);
  });

  it("the server's size estimate (planModelSize: the naive model plus maxCutRows) bounds the default model, cuts included", () => {
    fc.assert(
      fc.property(arbitraryInstance, (p) => {
        const built = buildModel(p).model;
        const estimate = planModelSize(p);
        expect(built.rowNames.length).toBeLessThanOrEqual(estimate.constraints);
        expect(built.colNames.length).toBeLessThanOrEqual(estimate.variables);
        expect(built.cutRows?.length ?? 0).toBeLessThanOrEqual(maxCutRows(p));
        // The cut rows are the gridFloor rows, and only they.
        const named = built.rowNames.flatMap((name, r) => (name.startsWith('gridFloor(') ? [r] : []));
        expect(Array.from(built.cutRows ?? [])).toEqual(named);
      }),
      { numRuns: 60 },
    );
  });

  it("milp-small: the cuts make the model larger than its naive model, and planModelSize still bounds it at every stage", () => {
    const p = validatePlanRequest(planRequestFromJson(JSON.parse(JSON.stringify(generateInstance(benchmarkSizes['milp-small'], { seed: 1 }))) as unknown));
    const estimate = planModelSize(p);
    const stages: ModelStage[] = [{ kind: 'weighted', unmetPenalty: defaultUnmetPenalty(p) }, { kind: 'minUnmet' }, { kind: 'lexicographic', unmetCap: 0 }];
    for (const stage of stages) {
      const built = buildModel(p, stage).model;
      expect(built.rowNames.length, stage.kind).toBeGreaterThan(buildModel(p, stage, { reductions: false }).model.rowNames.length);
      expect(built.rowNames.length, stage.kind).toBeLessThanOrEqual(estimate.constraints);
      expect(built.colNames.length, stage.kind).toBeLessThanOrEqual(estimate.variables);
    }
  });

  it('duals of the LP with the integers fixed sit on the model rows, not on the cuts: the same as without the cuts', async () => {
    // The block of the hand case above: at its optimum gridFloor reads grid >= 3 kW, as powerBalance does.
    const { withCuts, without } = oneBlockOverSurplus([400, 300, 500]);
    expect(withCuts.cutRows?.length).toBe(3);
    // Through the HiGHS worker thread, as the planner asks for them (the cut rows travel with the model).
    const a = await solveModel(withCuts, 'highs', { ...solveOptions, duals: true });
    const b = await solveModel(without, 'highs', { ...solveOptions, duals: true });
    expect(a.dualsFrom).toBe('lp_with_integers_fixed');
    expect(a.objective).toBeCloseTo(b.objective!, 9);
    for (const r of withCuts.cutRows!) expect(a.rowDuals![r], withCuts.rowNames[r]).toBe(0);
    without.rowNames.forEach((name, r) => {
      expect(a.rowDuals![withCuts.rowNames.indexOf(name)], name).toBeCloseTo(b.rowDuals![r], 9);
    });
    // The block runs in the cheapest hour (300 g/kWh) and powerBalance there carries its price.
    const balance = withCuts.rowNames.findIndex((name) => name.startsWith('powerBalance(') && name.endsWith('T01)'));
    expect(balance).toBeGreaterThanOrEqual(0);
    expect(Math.abs(a.rowDuals![balance])).toBeGreaterThan(0);
  });
});
