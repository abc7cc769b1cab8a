import fc from 'fast-check';
import type { Highs } from 'highs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinearModel } from '../solver/model/LinearModel.js';
import { formatLpNumber, writeLpFormat } from '../solver/model/writeLpFormat.js';
import { HighsThread } from '../solver/solve/HighsThread.js';
import { loadHighs } from '../solver/solve/loadHighs.js';
import { linearModel, longRowLp, openOneSiteMilp, twoSitesOneHourLp, twoSitesOneHourLpOptimum } from './factories/linearModels.js';

describe('LP format', () => {
  let highs: Highs;
  const thread = new HighsThread();
  beforeAll(async () => {
    highs = await loadHighs();
  });
  afterAll(() => thread.close());

  /** Reads `text` with HiGHS's own LP reader (the legacy one-shot API). */
  const solveText = (text: string) => highs.solve(text, { output_flag: false });

  /** Solves the text and the sparse model; both must agree. */
  async function roundTrip(model: LinearModel) {
    const text = writeLpFormat(model, 'cosched round-trip test');
    const fromText = solveText(text);
    const fromModel = await thread.solve(model, { timeLimitSeconds: 30, mipGap: 0 });
    expect(fromText.Status).toBe('Optimal');
    expect(fromModel.termination).toBe('optimal');
    expect(fromText.ObjectiveValue).toBeCloseTo(fromModel.objective!, 9);
    return { text, fromText };
  }

  it('round-trips an LP with free, fixed, ranged, empty and orphan parts, keeping names', async () => {
    const model = twoSitesOneHourLp();
    const { text, fromText } = await roundTrip(model);
    expect(fromText.ObjectiveValue).toBeCloseTo(twoSitesOneHourLpOptimum.objective, 9);
    for (const [name, value] of Object.entries(twoSitesOneHourLpOptimum.values)) {
      const column = fromText.Columns[name];
      expect(column && 'Primal' in column ? column.Primal : undefined).toBeCloseTo(value, 9);
    }
    // The offset (100) rides on one extra column fixed at 1: CBC's reader drops a bare constant.
    expect(Object.keys(fromText.Columns)).toHaveLength(model.colNames.length + 1);
    expect(text).toContain(' objectiveConstant = 1\n');
    expect(text).toContain(' gridMw(siteA,h0001) free');
    expect(text).toContain(' fixed(siteB) = 1.5');
    expect(text).toContain(' -4 <= shift(j1) <= 4');
    expect(text).toContain(' siteCapacity(siteB,h0001)~lo: + gpus(j1,siteB,h0001) + fixed(siteB) >= 2');
    expect(text).toContain(' siteCapacity(siteB,h0001)~up: + gpus(j1,siteB,h0001) + fixed(siteB) <= 6.5');
    expect(text).toContain(' empty(siteA)~lo: 0 gpus(j1,siteA,h0001) >= -1');
    expect(text).not.toContain('unbounded(siteA)');
    expect(text).toMatch(/ \+ 0 idle\(siteA\)/);
    expect(text).toMatch(/ \+ 100 objectiveConstant\n/);
  });

  it('round-trips a MILP with Generals and Binary sections', async () => {
    const { text, fromText } = await roundTrip(openOneSiteMilp());
    expect(fromText.ObjectiveValue).toBe(-17);
    expect(text).toMatch(/\nGenerals\n x\(siteA\) y\(siteA\)\n/);
    expect(text).toMatch(/\nBinary\n open\(siteA\)\n/);
  });

  it('wraps long rows so that every line stays under 255 characters', async () => {
    const { text } = await roundTrip(longRowLp());
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(255);
    expect(lines.length).toBeGreaterThan(500);
    expect(solveText(text).ObjectiveValue).toBeCloseTo(10.045, 9);
  });

  it('writes a trivial objective and a model without rows', () => {
    const model = linearModel({ columns: [{ name: 'x', lower: 2 }], rows: [] });
    const text = writeLpFormat(model);
    expect(text).toBe('Minimize\n obj: + 0 x\nSubject To\nBounds\n x >= 2\nEnd\n');
    expect(solveText(text).Status).toBe('Optimal');
  });

  it('writes the objective offset on a fixed column whose name stays clear of the model\'s own', () => {
    const model = linearModel({ columns: [{ name: 'objectiveConstant', cost: 1, lower: 2 }], rows: [], offset: -3.5 });
    const text = writeLpFormat(model);
    expect(text).toBe('Minimize\n obj: + objectiveConstant - 3.5 objectiveConstant~2\nSubject To\nBounds\n objectiveConstant >= 2\n objectiveConstant~2 = 1\nEnd\n');
    expect(solveText(text).ObjectiveValue).toBe(-1.5);
  });

  it('keeps the objective label clear of a row called obj', () => {
    const model = linearModel({ columns: [{ name: 'x', cost: 1 }], rows: [{ name: 'obj', lower: 3, terms: { x: 1 } }] });
    const text = writeLpFormat(model);
    expect(text).toContain(' obj~2: + x\n');
    expect(solveText(text).ObjectiveValue).toBe(3);
  });

  it('writes every finite double so that it parses back exactly, never with an e+ exponent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const written = formatLpNumber(x);
        expect(Number(written)).toBe(x === 0 ? 0 : x);
        expect(written).not.toMatch(/e\+/i);
        expect(written.length).toBeLessThanOrEqual(32);
      }),
      { numRuns: 2_000 },
    );
    expect(formatLpNumber(1e21)).toBe('1000000000000000000000');
    expect(formatLpNumber(-1.5e-7)).toBe('-0.00000015');
    expect(formatLpNumber(1e300)).toBe('1e300');
    expect(formatLpNumber(-0)).toBe('0');
  });

  it('writes coefficients and bounds HiGHS reads back bit for bit, tiny and huge ones included', () => {
    const numbers = [1e-7, 0.1 + 0.2, 123456789.123, 2 ** 60, 3e-12, -1.5e-7, 1 / 3];
    const model = linearModel({
      columns: numbers.map((c, j) => ({ name: `x${j}`, lower: -Math.abs(c), upper: Math.abs(c) * 3, cost: c })),
      rows: [],
    });
    const read = highs.createModel({ format: 'lp', data: writeLpFormat(model) });
    try {
      const lp = read.getLp();
      expect(Array.from(lp.colCost)).toEqual(numbers);
      expect(Array.from(lp.colLower)).toEqual(numbers.map((c) => -Math.abs(c)));
      expect(Array.from(lp.colUpper)).toEqual(numbers.map((c) => Math.abs(c) * 3));
    } finally {
      read.dispose();
    }
  });

  it('refuses NaN and over-long names with a RangeError naming the place', () => {
    const model = twoSitesOneHourLp();
    model.rowUpper[1] = Number.NaN;
    expect(() => writeLpFormat(model)).toThrow(/NaN in siteCapacity\(siteB,h0001\)/);
    const longName = linearModel({ columns: [{ name: 'x'.repeat(200) }], rows: [] });
    expect(() => writeLpFormat(longName)).toThrow(RangeError);
  });
});
