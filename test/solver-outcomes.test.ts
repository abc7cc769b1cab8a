import { afterAll, describe, expect, it } from 'vitest';
import type { SolveProgress, SolveRunOptions } from '../solver/solve/SolveOutcome.js';
import { HighsThread } from '../solver/solve/HighsThread.js';
import { solveModel } from '../solver/solve/solveModel.js';
import { solveWithHighs } from '../solver/solve/solveWithHighs.js';
import { solveWithJsLp } from '../solver/solve/solveWithJsLp.js';
import {
  infeasibleLp,
  linearModel,
  marketSplitMilp,
  maxViolation,
  multiDimensionalKnapsack,
  objectiveOf,
  openOneSiteMilp,
  twoSitesOneHourLp,
  twoSitesOneHourLpOptimum,
  unboundedLp,
  unboundedMilp,
  valuesByName,
} from './factories/linearModels.js';

const generous: SolveRunOptions = { timeLimitSeconds: 30, mipGap: 0 };

describe('solver outcomes', () => {
  const thread = new HighsThread();
  afterAll(() => thread.close());

  it('solves an LP to its known optimum, and both engines agree to 1e-9', async () => {
    const model = twoSitesOneHourLp();
    const highs = await thread.solve(model, generous);
    const jslp = await solveWithJsLp(model, generous);

    for (const outcome of [highs, jslp]) {
      expect(outcome).toMatchObject({ status: 'ok', termination: 'optimal', mipGap: 0 });
      expect(outcome.objective).toBeCloseTo(twoSitesOneHourLpOptimum.objective, 9);
      const values = valuesByName(model, outcome.values!);
      for (const [name, value] of Object.entries(twoSitesOneHourLpOptimum.values)) expect(values[name]).toBeCloseTo(value, 9);
    }
    expect(Math.abs(highs.objective! - jslp.objective!)).toBeLessThanOrEqual(1e-9);
    expect(highs.solver).toMatch(/^highs \d+\.\d+\.\d+$/);
    expect(jslp.solver).toMatch(/^javascript-lp-solver \d+\.\d+\.\d+$/);
  });

  it('leaves the caller’s model intact (arrays are copied, not transferred)', async () => {
    const model = twoSitesOneHourLp();
    await thread.solve(model, generous);
    expect(model.colCost.length).toBe(7);
    expect(model.index.length).toBe(model.rowStart[model.rowStart.length - 1]);
  });

  it('solves a MILP whose relaxation is fractional to its integer optimum', async () => {
    const outcome = await thread.solve(openOneSiteMilp(), generous);
    expect(outcome).toMatchObject({ status: 'ok', termination: 'optimal', objective: -17 });
    expect(Array.from(outcome.values!)).toEqual([4, 0, 1]);
    expect(outcome.mipGap).toBeLessThanOrEqual(1e-9);
  });

  it('reports an infeasible model as infeasible, without values', async () => {
    for (const outcome of [await thread.solve(infeasibleLp(), generous), await solveWithJsLp(infeasibleLp(), generous)]) {
      expect(outcome).toMatchObject({ status: 'warning', termination: 'infeasible' });
      expect(outcome.values).toBeUndefined();
      expect(outcome.objective).toBeUndefined();
    }
  });

  it('reports an unbounded LP as unbounded on both engines', async () => {
    for (const outcome of [await thread.solve(unboundedLp(), generous), await solveWithJsLp(unboundedLp(), generous)]) {
      expect(outcome).toMatchObject({ status: 'warning', termination: 'unbounded' });
      expect(outcome.values).toBeUndefined();
    }
  });

  it('resolves HiGHS’s "infeasible or unbounded" on a MILP by re-solving without presolve', async () => {
    const outcome = await thread.solve(unboundedMilp(), generous);
    expect(outcome).toMatchObject({ status: 'warning', termination: 'unbounded' });
    expect(outcome.solverStatus).toBe('Unbounded (after a re-solve without presolve)');
  });

  it('returns the incumbent, its achieved gap and progress when a MILP hits its time limit', async () => {
    const model = multiDimensionalKnapsack();
    const progress: SolveProgress[] = [];
    const outcome = await thread.solve(model, { timeLimitSeconds: 1, mipGap: 0, onProgress: (p) => progress.push(p) });

    expect(outcome).toMatchObject({ status: 'ok', termination: 'time_limit_feasible', solverStatus: 'Time limit reached' });
    expect(maxViolation(model, outcome.values!)).toBeLessThanOrEqual(1e-6);
    expect(outcome.objective).toBeCloseTo(objectiveOf(model, outcome.values!), 6);
    expect(outcome.mipGap).toBeGreaterThan(0);
    expect(outcome.mipGap).toBeLessThan(1);
    expect(progress.some((p) => p.incumbent !== undefined && p.bound !== undefined && p.mipGap !== undefined)).toBe(true);
    expect(progress.every((p, i) => i === 0 || p.elapsedMs >= progress[i - 1].elapsedMs)).toBe(true);
  });

  it('reports a time limit without any feasible point as time_limit_no_solution', async () => {
    const outcome = await thread.solve(marketSplitMilp(), { timeLimitSeconds: 1, mipGap: 0 });
    expect(outcome).toMatchObject({ status: 'warning', termination: 'time_limit_no_solution', mipGap: Infinity });
    expect(outcome.values).toBeUndefined();
  });

  it('refuses a MILP on javascript-lp-solver with a solver_error that says why', async () => {
    const outcome = await solveWithJsLp(openOneSiteMilp(), generous);
    expect(outcome).toMatchObject({ status: 'error', termination: 'solver_error' });
    expect(outcome.solverStatus).toMatch(/LP cross-check only.*3 integer columns/);
    expect(outcome.values).toBeUndefined();
  });

  it('turns a model HiGHS rejects into a solver_error and replaces the worker', async () => {
    const broken = twoSitesOneHourLp();
    broken.colCost[0] = Number.NaN;
    const outcome = await thread.solve(broken, generous);
    expect(outcome).toMatchObject({ status: 'error', termination: 'solver_error' });
    expect(outcome.solverStatus).toMatch(/colCost\[0\] \(gpus\(j1,siteA,h0001\)\)/);
    expect(thread.alive).toBe(false);
    expect((await thread.solve(twoSitesOneHourLp(), generous)).termination).toBe('optimal');
  });

  it('solves a model without columns to its offset, or finds it infeasible', async () => {
    const empty = linearModel({ columns: [], rows: [{ name: 'slack', lower: -1, upper: 1, terms: {} }], offset: 7 });
    const impossible = linearModel({ columns: [], rows: [{ name: 'needsOne', lower: 1, terms: {} }] });
    for (const solve of [(m: typeof empty) => thread.solve(m, generous), (m: typeof empty) => solveWithJsLp(m, generous)]) {
      expect(await solve(empty)).toMatchObject({ termination: 'optimal', objective: 7 });
      expect(await solve(impossible)).toMatchObject({ termination: 'infeasible' });
    }
  });

  it('dispatches on the engine name, and rejects an unknown one', async () => {
    expect((await solveModel(twoSitesOneHourLp(), 'highs', generous)).objective).toBeCloseTo(130.5, 9);
    expect((await solveModel(twoSitesOneHourLp(), 'jslp', generous)).objective).toBeCloseTo(130.5, 9);
    await expect(solveModel(twoSitesOneHourLp(), 'cplex' as 'highs', generous)).rejects.toThrow(/unknown solver engine/);
  });

  it('lets concurrent solveWithHighs calls run side by side', async () => {
    const [a, b] = await Promise.all([solveWithHighs(openOneSiteMilp(), generous), solveWithHighs(twoSitesOneHourLp(), generous)]);
    expect(a.objective).toBe(-17);
    expect(b.objective).toBeCloseTo(130.5, 9);
  });

  it('rejects a second solve on a busy HighsThread', async () => {
    const busy = new HighsThread();
    const first = busy.solve(twoSitesOneHourLp(), generous);
    await expect(busy.solve(twoSitesOneHourLp(), generous)).rejects.toThrow(/busy/);
    expect((await first).termination).toBe('optimal');
    await busy.close();
  });
});
