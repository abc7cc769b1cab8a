import type { LinearModel } from './LinearModel.js';

/**
 * Accumulates columns and rows of a LinearModel in growable typed arrays. Families are just name
 * prefixes: `addVariable('gpus(j1,a,h0003)', ...)`. Indices are returned so constraint builders
 * can refer to columns without name lookups.
 */
export class ModelBuilder {
  private colCount = 0;
  private colNames: string[] = [];
  private colLower = new Float64Array(1024);
  private colUpper = new Float64Array(1024);
  private colCost = new Float64Array(1024);
  private colInteger = new Uint8Array(1024);
  private integerCount = 0;

  private rowCount = 0;
  private rowNames: string[] = [];
  private rowLower = new Float64Array(1024);
  private rowUpper = new Float64Array(1024);
  private rowStart = new Int32Array(1025);
  private nzCount = 0;
  private index = new Int32Array(4096);
  private value = new Float64Array(4096);

  objectiveOffset = 0;

  /** Adds a column and returns its index. `integer` with bounds 0..1 makes a binary. */
  addVariable(name: string, lower: number, upper: number, cost: number, integer = false): number {
    if (this.colCount === this.colLower.length) this.growColumns();
    const i = this.colCount++;
    this.colNames.push(name);
    this.colLower[i] = lower;
    this.colUpper[i] = upper;
    this.colCost[i] = cost;
    this.colInteger[i] = integer ? 1 : 0;
    if (integer) this.integerCount++;
    return i;
  }

  /** Adds `cost` to the objective coefficient of column `col`. */
  addCost(col: number, cost: number): void {
    this.colCost[col] += cost;
  }

  /**
   * Adds the row lower <= Σ values[k]·x[indices[k]] <= upper and returns its index. Duplicate
   * column indices within one row are summed.
   */
  addConstraint(name: string, lower: number, upper: number, indices: ArrayLike<number>, values: ArrayLike<number>): number {
    if (this.rowCount === this.rowLower.length) this.growRows();
    const r = this.rowCount++;
    this.rowNames.push(name);
    this.rowLower[r] = lower;
    this.rowUpper[r] = upper;
    const merged = mergeDuplicates(indices, values);
    while (this.nzCount + merged.indices.length > this.index.length) this.growNonzeros();
    this.index.set(merged.indices, this.nzCount);
    this.value.set(merged.values, this.nzCount);
    this.nzCount += merged.indices.length;
    this.rowStart[r + 1] = this.nzCount;
    return r;
  }

  /** Current number of columns. */
  get variables(): number {
    return this.colCount;
  }

  /** Current number of integer columns. */
  get integerVariables(): number {
    return this.integerCount;
  }

  /** Freezes the model; the builder must not be used afterwards. */
  build(): LinearModel {
    return {
      colNames: this.colNames,
      colLower: this.colLower.slice(0, this.colCount),
      colUpper: this.colUpper.slice(0, this.colCount),
      colCost: this.colCost.slice(0, this.colCount),
      colInteger: this.colInteger.slice(0, this.colCount),
      rowNames: this.rowNames,
      rowLower: this.rowLower.slice(0, this.rowCount),
      rowUpper: this.rowUpper.slice(0, this.rowCount),
      rowStart: this.rowStart.slice(0, this.rowCount + 1),
      index: this.index.slice(0, this.nzCount),
      value: this.value.slice(0, this.nzCount),
      objectiveOffset: this.objectiveOffset,
    };
  }

  private growColumns(): void {
    const n = this.colLower.length * 2;
    this.colLower = grow(this.colLower, n);
    this.colUpper = grow(this.colUpper, n);
    this.colCost = grow(this.colCost, n);
    const integer = new Uint8Array(n);
    integer.set(this.colInteger);
    this.colInteger = integer;
  }

  private growRows(): void {
    const n = this.rowLower.length * 2;
    this.rowLower = grow(this.rowLower, n);
    this.rowUpper = grow(this.rowUpper, n);
    const start = new Int32Array(n + 1);
    start.set(this.rowStart);
    this.rowStart = start;
  }

  private growNonzeros(): void {
    const n = this.index.length * 2;
    const index = new Int32Array(n);
    index.set(this.index);
    this.index = index;
    this.value = grow(this.value, n);
  }
}

function grow(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(array);
  return next;
}

function mergeDuplicates(indices: ArrayLike<number>, values: ArrayLike<number>): { indices: number[]; values: number[] } {
  const seen = new Map<number, number>();
  const outIndices: number[] = [];
  const outValues: number[] = [];
  for (let k = 0; k < indices.length; k++) {
    const col = indices[k];
    const at = seen.get(col);
    if (at === undefined) {
      seen.set(col, outIndices.length);
      outIndices.push(col);
      outValues.push(values[k]);
    } else {
      outValues[at] += values[k];
    }
  }
  return { indices: outIndices, values: outValues };
}
