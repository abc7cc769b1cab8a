import { seededRandom } from '../../scripts/seededRandom.js';
import type { LinearModel } from '../../solver/model/LinearModel.js';

/** A column as tests write it; bounds default to the LP default 0..+inf, cost to 0. */
export interface ColumnSpec {
  name: string;
  lower?: number;
  upper?: number;
  cost?: number;
  integer?: boolean;
}

/** A row as tests write it: lower <= Σ terms[name]·x[name] <= upper (defaults -inf / +inf). */
export interface RowSpec {
  name: string;
  lower?: number;
  upper?: number;
  terms: Record<string, number>;
}

/** Builds a LinearModel from readable columns and rows (terms keyed by column name). */
export function linearModel(spec: { columns: ColumnSpec[]; rows: RowSpec[]; offset?: number }): LinearModel {
  const colIndex = new Map(spec.columns.map((c, j) => [c.name, j]));
  const rowStart = [0];
  const index: number[] = [];
  const value: number[] = [];
  for (const row of spec.rows) {
    for (const [name, coefficient] of Object.entries(row.terms)) {
      const j = colIndex.get(name);
      if (j === undefined) throw new Error(`row ${row.name} names unknown column ${name}`);
      index.push(j);
      value.push(coefficient);
    }
    rowStart.push(index.length);
  }
  return {
    colNames: spec.columns.map((c) => c.name),
    colLower: Float64Array.from(spec.columns, (c) => c.lower ?? 0),
    colUpper: Float64Array.from(spec.columns, (c) => c.upper ?? Infinity),
    colCost: Float64Array.from(spec.columns, (c) => c.cost ?? 0),
    colInteger: Uint8Array.from(spec.columns, (c) => (c.integer ? 1 : 0)),
    rowNames: spec.rows.map((r) => r.name),
    rowLower: Float64Array.from(spec.rows, (r) => r.lower ?? -Infinity),
    rowUpper: Float64Array.from(spec.rows, (r) => r.upper ?? Infinity),
    rowStart: Int32Array.from(rowStart),
    index: Int32Array.from(index),
    value: Float64Array.from(value),
    objectiveOffset: spec.offset ?? 0,
  };
}

/**
 * An LP shaped like a tiny plan, with every kind of bound and row the writers must handle: a free
 * column, a fixed column, a negative lower bound, a ranged row, an equality, an empty row, a
 * column in no row, a zero-cost column in no row, and an objective offset.
 *
 *   min 2a + 3b + 10u + 0.5g + f - 0.25n + 100
 *   workDone:      a + b + u = 12
 *   siteCapacity:  2 <= b + f <= 6.5
 *   powerBalance:  g - 0.5a = 0
 *   0 <= a <= 8, g free, f = 1.5, -4 <= n <= 4, 0 <= idle <= 5
 *
 * a costs 2 + 0.5·0.5 = 2.25 < 3, so a = 8, b = 4, u = 0, g = 4, n = 4: objective 130.5.
 */
export function twoSitesOneHourLp(): LinearModel {
  return linearModel({
    columns: [
      { name: 'gpus(j1,siteA,h0001)', upper: 8, cost: 2 },
      { name: 'gpus(j1,siteB,h0001)', cost: 3 },
      { name: 'unmet(j1)', cost: 10 },
      { name: 'gridMw(siteA,h0001)', lower: -Infinity, cost: 0.5 },
      { name: 'fixed(siteB)', lower: 1.5, upper: 1.5, cost: 1 },
      { name: 'shift(j1)', lower: -4, upper: 4, cost: -0.25 },
      { name: 'idle(siteA)', upper: 5 },
    ],
    rows: [
      { name: 'workDone(j1)', lower: 12, upper: 12, terms: { 'gpus(j1,siteA,h0001)': 1, 'gpus(j1,siteB,h0001)': 1, 'unmet(j1)': 1 } },
      { name: 'siteCapacity(siteB,h0001)', lower: 2, upper: 6.5, terms: { 'gpus(j1,siteB,h0001)': 1, 'fixed(siteB)': 1 } },
      { name: 'powerBalance(siteA,h0001)', lower: 0, upper: 0, terms: { 'gridMw(siteA,h0001)': 1, 'gpus(j1,siteA,h0001)': -0.5 } },
      { name: 'empty(siteA)', lower: -1, upper: 1, terms: {} },
      { name: 'unbounded(siteA)', terms: { 'gpus(j1,siteA,h0001)': 1 } },
    ],
    offset: 100,
  });
}

/** The optimum of twoSitesOneHourLp, by column name. */
export const twoSitesOneHourLpOptimum = {
  objective: 130.5,
  values: {
    'gpus(j1,siteA,h0001)': 8,
    'gpus(j1,siteB,h0001)': 4,
    'unmet(j1)': 0,
    'gridMw(siteA,h0001)': 4,
    'fixed(siteB)': 1.5,
    'shift(j1)': 4,
    'idle(siteA)': 0,
  } as Record<string, number>,
};

/**
 * A MILP whose LP relaxation is fractional:
 *
 *   min -5x - 4y + 3·open
 *   6x + 4y <= 24,  x + 2y <= 6,  x <= 4·open,  x, y >= 0 integer, open binary
 *
 * The LP optimum is x = 3, y = 1.5; the integer optimum is x = 4, y = 0, open = 1: -17.
 */
export function openOneSiteMilp(): LinearModel {
  return linearModel({
    columns: [
      { name: 'x(siteA)', cost: -5, integer: true },
      { name: 'y(siteA)', cost: -4, integer: true },
      { name: 'open(siteA)', upper: 1, cost: 3, integer: true },
    ],
    rows: [
      { name: 'wood(siteA)', upper: 24, terms: { 'x(siteA)': 6, 'y(siteA)': 4 } },
      { name: 'labour(siteA)', upper: 6, terms: { 'x(siteA)': 1, 'y(siteA)': 2 } },
      { name: 'openLink(siteA)', upper: 0, terms: { 'x(siteA)': 1, 'open(siteA)': -4 } },
    ],
  });
}

/** x, y in [0, 1] with x + y >= 5: infeasible. */
export function infeasibleLp(): LinearModel {
  return linearModel({
    columns: [
      { name: 'x', upper: 1, cost: 1 },
      { name: 'y', upper: 1, cost: 1 },
    ],
    rows: [{ name: 'demand', lower: 5, terms: { x: 1, y: 1 } }],
  });
}

/** min -x - y with x - y <= 1, x, y >= 0: unbounded along x = y. */
export function unboundedLp(): LinearModel {
  return linearModel({
    columns: [
      { name: 'x', cost: -1 },
      { name: 'y', cost: -1 },
    ],
    rows: [{ name: 'spread', upper: 1, terms: { x: 1, y: -1 } }],
  });
}

/** unboundedLp with integer columns; HiGHS's presolve calls it "infeasible or unbounded". */
export function unboundedMilp(): LinearModel {
  return { ...unboundedLp(), colInteger: new Uint8Array([1, 1]) };
}

/**
 * A seeded multi-dimensional 0-1 knapsack, written as a minimisation:
 *   min -Σ p_j x_j  s.t.  Σ w_ij x_j <= ½ Σ_j w_ij  for each dimension i,  x binary.
 * With 300 items and 10 dimensions HiGHS needs well over 5 s to prove optimality (3 s for
 * 200 × 5), so a 1 s time limit reliably stops it with an incumbent (x = 0 is feasible).
 */
export function multiDimensionalKnapsack({ items = 300, dimensions = 10, seed = 42 } = {}): LinearModel {
  const random = seededRandom(seed);
  const columns = Array.from({ length: items }, (_, j) => ({
    name: `take(item${j})`,
    upper: 1,
    cost: -(1 + Math.floor(random() * 1000)),
    integer: true,
  }));
  const rows = Array.from({ length: dimensions }, (_, i) => {
    const terms: Record<string, number> = {};
    let total = 0;
    for (const column of columns) {
      const weight = 1 + Math.floor(random() * 1000);
      terms[column.name] = weight;
      total += weight;
    }
    return { name: `capacity(dim${i})`, upper: Math.floor(total / 2), terms };
  });
  return linearModel({ columns, rows });
}

/**
 * A market split instance (Cornuéjols and Dawande): `rows` equality knapsacks over
 * 10·(rows − 1) binaries, Σ a_ij x_j = ⌊½ Σ_j a_ij⌋ with a_ij in 0..99. Branch and bound finds
 * no feasible point for a long time (none within 20 s for 4 rows), so a 1 s time limit ends it
 * without a solution.
 */
export function marketSplitMilp({ rows = 4, seed = 1 } = {}): LinearModel {
  const random = seededRandom(seed);
  const columns = Array.from({ length: 10 * (rows - 1) }, (_, j) => ({ name: `pick(item${j})`, upper: 1, integer: true }));
  const rowSpecs = Array.from({ length: rows }, (_, i) => {
    const terms: Record<string, number> = {};
    let total = 0;
    for (const column of columns) {
      const weight = Math.floor(random() * 100);
      terms[column.name] = weight;
      total += weight;
    }
    const target = Math.floor(total / 2);
    return { name: `split(market${i})`, lower: target, upper: target, terms };
  });
  return linearModel({ columns, rows: rowSpecs });
}

/**
 * One long row over `n` columns with long names, for line wrapping:
 *   min Σ (1 + j/1000)·x_j  s.t.  Σ x_j >= 10,  0 <= x_j <= 1
 * The ten cheapest columns fill the row: objective 10 + 45/1000 = 10.045.
 */
export function longRowLp(n = 2_000): LinearModel {
  const columns = Array.from({ length: n }, (_, j) => ({
    name: `gpus(job_with_a_rather_long_identifier_${j},helingeer,h0042)`,
    upper: 1,
    cost: 1 + j / 1000,
  }));
  const terms = Object.fromEntries(columns.map((c) => [c.name, 1]));
  return linearModel({ columns, rows: [{ name: 'workDone(all)', lower: 10, terms }] });
}

/** Column values by name, for readable assertions. */
export function valuesByName(model: LinearModel, values: Float64Array): Record<string, number> {
  return Object.fromEntries(model.colNames.map((name, j) => [name, values[j]]));
}

/** Largest violation of `model`'s bounds, rows and integrality by `values` (0 when feasible). */
export function maxViolation(model: LinearModel, values: Float64Array): number {
  let worst = 0;
  for (let j = 0; j < values.length; j++) {
    worst = Math.max(worst, model.colLower[j] - values[j], values[j] - model.colUpper[j]);
    if (model.colInteger[j]) worst = Math.max(worst, Math.abs(values[j] - Math.round(values[j])));
  }
  for (let r = 0; r < model.rowNames.length; r++) {
    let activity = 0;
    for (let k = model.rowStart[r]; k < model.rowStart[r + 1]; k++) activity += model.value[k] * values[model.index[k]];
    worst = Math.max(worst, model.rowLower[r] - activity, activity - model.rowUpper[r]);
  }
  return worst;
}

/** Σ cost·value + offset. */
export function objectiveOf(model: LinearModel, values: Float64Array): number {
  let objective = model.objectiveOffset;
  for (let j = 0; j < values.length; j++) objective += model.colCost[j] * values[j];
  return objective;
}
