import type { LinearModel } from './LinearModel.js';

/** CPLEX and CBC refuse longer lines; stay safely under 255 characters. */
const maxLineChars = 250;
/** The fixed column that carries the objective offset (see writeLpFormat). */
const objectiveConstant = 'objectiveConstant';
/** Numbers longer than this are written with an exponent. */
const maxNumberChars = 32;
/** Leaves room on one line for `lower <= name <= upper` with the longest numbers. */
const maxNameChars = 176;

/**
 * Writes `model` as CPLEX LP text: `Minimize` / `Subject To` / `Bounds` / `Generals` / `Binary` /
 * `End`, using the model's own (LP-safe) names, e.g. `gpus(j17,helingeer,h0042)`.
 *
 * Contract:
 * - Reading the text back gives the same model: the same columns, bounds, integrality and costs
 *   (the offset as below), and the same feasible set (tested with HiGHS's reader; the syntax is the plain CPLEX
 *   subset that CBC and CPLEX also read, and
 *   tested against native CBC in test/cbc-cross-check.test.ts). Columns keep the model's names, but readers number
 *   columns by first appearance, so column order may differ.
 * - Numbers round-trip exactly (shortest representation) and are never written with an `e+`
 *   exponent: magnitudes from 1e21 and below 1e-6 are written positionally when that takes at most
 *   32 characters, otherwise as `1e300` / `5e-324`.
 * - Every line stays under 255 characters; long expressions wrap between terms.
 * - Ranged rows (finite lower < finite upper) have no portable LP syntax; each becomes two rows,
 *   `name~lo: … >= lower` and `name~up: … <= upper`. Rows bounded on neither side
 *   are left out (they constrain nothing). Rows without entries get a `0` term on the first column.
 * - A nonzero objective offset becomes one extra column, `objectiveConstant` (or `objectiveConstant~2`…
 *   if the model has a column of that name), fixed at 1 in Bounds, with the offset as its cost: the
 *   only spelling every reader counts. A bare constant term in the objective is read by HiGHS and
 *   CPLEX but dropped by CBC's reader (CoinLpIO), which then reports an objective short by the
 *   offset; Pyomo's LP writer does the same with its ONE_VAR_CONSTANT. So the text read back has
 *   the model's columns plus that one when the offset is nonzero, and the same optimal objective.
 *   A column that appears in no row and has no cost is written into the objective with
 *   coefficient 0 so that readers still create it.
 * - Integer columns with bounds exactly 0..1 go to `Binary`, other integer columns to `Generals`.
 * - Bounds follow the LP default of 0 <= x <= +inf: `x free`, `x = v` for fixed columns,
 *   `-inf <= x <= u` when only an upper bound is finite, `l <= x <= u` otherwise.
 *
 * Bounds are written as given: an infeasible pair (lower > upper) or an infinite lower bound of
 * +inf is left for the reader to reject. Names are written as given; CBC's reader (CoinLpIO)
 * also wants them at most 100 characters (a ranged row's name gets `~lo`/`~up` added), not
 * starting with a digit.
 * Throws a RangeError for NaN anywhere in the model or a name that is empty or longer than 176
 * characters (the line limit). `title`, if given, becomes a leading `\` comment line.
 */
export function writeLpFormat(model: LinearModel, title?: string): string {
  checkNames(model.colNames, 'column');
  checkNames(model.rowNames, 'row');
  // Pieces of text, joined once: cheaper than building each line as a rope and joining lines.
  const out: string[] = [];
  if (title !== undefined) {
    for (const line of title.split(/\r?\n/)) out.push(clip(`\\ ${line}`), '\n');
  }
  writeObjective(model, out);
  writeConstraints(model, out);
  writeBounds(model, out);
  writeIntegrality(model, out);
  out.push('End\n');
  return out.join('');
}

/** Writes one logical line as pieces, wrapping between chunks so that no physical line is too long. */
class LineWriter {
  /** Characters on the current physical line. */
  private length: number;

  constructor(
    private readonly out: string[],
    start: string,
  ) {
    out.push(start);
    this.length = start.length;
  }

  add(chunk: string): void {
    if (this.length > 0 && this.length + chunk.length > maxLineChars) {
      this.out.push('\n ');
      this.length = 1;
    }
    this.out.push(chunk);
    this.length += chunk.length;
  }

  end(): void {
    this.out.push('\n');
  }
}

function writeObjective(model: LinearModel, out: string[]): void {
  const { colCost, colNames } = model;
  const inSomeRow = new Uint8Array(colNames.length);
  for (const j of model.index) inSomeRow[j] = 1;

  out.push('Minimize\n');
  const line = new LineWriter(out, ` ${uniqueLabel('obj', model.rowNames)}:`);
  let terms = 0;
  for (let j = 0; j < colNames.length; j++) {
    const cost = checked(colCost[j], colNames[j]);
    if (cost !== 0 || !inSomeRow[j]) {
      line.add(term(cost, colNames[j]));
      terms++;
    }
  }
  const offset = checked(model.objectiveOffset, 'objectiveOffset');
  const constant = objectiveConstantName(model);
  if (constant !== undefined) line.add(term(offset, constant));
  else if (terms === 0) line.add(' + 0');
  line.end();
}

/** The name of the fixed column that carries a nonzero objective offset; undefined when the offset is 0. */
function objectiveConstantName(model: LinearModel): string | undefined {
  if (model.objectiveOffset === 0) return undefined;
  return model.colNames.includes(objectiveConstant) ? freshLabel(objectiveConstant, new Set(model.colNames)) : objectiveConstant;
}

function writeConstraints(model: LinearModel, out: string[]): void {
  const { rowNames, rowLower, rowUpper, rowStart, index, value, colNames } = model;
  out.push('Subject To\n');
  const taken = hasRangedRow(model) ? new Set(rowNames) : undefined;
  for (let r = 0; r < rowNames.length; r++) {
    const rowName = rowNames[r];
    const lower = checked(rowLower[r], rowName);
    const upper = checked(rowUpper[r], rowName);
    const writeRow = (label: string, relation: string) => {
      const line = new LineWriter(out, ` ${label}:`);
      const start = rowStart[r];
      const end = rowStart[r + 1];
      if (start === end && colNames.length > 0) line.add(` 0 ${colNames[0]}`);
      for (let k = start; k < end; k++) {
        line.add(term(checked(value[k], rowName), colNames[index[k]]));
      }
      line.add(relation);
      line.end();
    };
    if (lower === upper) {
      writeRow(rowName, ` = ${formatLpNumber(lower)}`);
    } else if (lower === -Infinity && upper === Infinity) {
      // A free row constrains nothing, and readers disagree on how to spell it.
      continue;
    } else if (lower === -Infinity) {
      writeRow(rowName, ` <= ${formatLpNumber(upper)}`);
    } else if (upper === Infinity) {
      writeRow(rowName, ` >= ${formatLpNumber(lower)}`);
    } else {
      // Readers differ on `lo <= expr <= up` (HiGHS rejects it), so a ranged row becomes two rows.
      writeRow(freshLabel(`${rowName}~lo`, taken!), ` >= ${formatLpNumber(lower)}`);
      writeRow(freshLabel(`${rowName}~up`, taken!), ` <= ${formatLpNumber(upper)}`);
    }
  }
}

function writeBounds(model: LinearModel, out: string[]): void {
  const { colNames, colLower, colUpper, colInteger } = model;
  out.push('Bounds\n');
  for (let j = 0; j < colNames.length; j++) {
    const colName = colNames[j];
    const lower = checked(colLower[j], colName);
    const upper = checked(colUpper[j], colName);
    if (isBinary(colInteger[j], lower, upper)) continue;
    if (lower === 0 && upper === Infinity) continue;
    if (lower === upper) {
      out.push(` ${colName} = ${formatLpNumber(lower)}\n`);
    } else if (lower === -Infinity && upper === Infinity) {
      out.push(` ${colName} free\n`);
    } else if (upper === Infinity) {
      out.push(` ${colName} >= ${formatLpNumber(lower)}\n`);
    } else {
      // Both sides are explicit: some readers turn a lone negative upper bound into lower = -inf.
      out.push(` ${formatLpNumber(lower)} <= ${colName} <= ${formatLpNumber(upper)}\n`);
    }
  }
  const constant = objectiveConstantName(model);
  if (constant !== undefined) out.push(` ${constant} = 1\n`);
}

function writeIntegrality(model: LinearModel, out: string[]): void {
  const { colNames, colLower, colUpper, colInteger } = model;
  const generals: string[] = [];
  const binaries: string[] = [];
  for (let j = 0; j < colNames.length; j++) {
    if (!colInteger[j]) continue;
    (isBinary(1, colLower[j], colUpper[j]) ? binaries : generals).push(colNames[j]);
  }
  for (const [header, names] of [['Generals', generals], ['Binary', binaries]] as const) {
    if (names.length === 0) continue;
    out.push(header, '\n');
    const line = new LineWriter(out, '');
    for (const colName of names) line.add(` ${colName}`);
    line.end();
  }
}

/**
 * Formats a finite number so that LP readers parse it back to the same double, without an `e+`
 * exponent (see writeLpFormat). Exported for tests and other writers.
 */
export function formatLpNumber(x: number): string {
  if (!Number.isFinite(x)) {
    if (x === Infinity) return '+inf';
    if (x === -Infinity) return '-inf';
    throw new RangeError('cannot write NaN in LP format');
  }
  if (Object.is(x, -0)) return '0';
  const shortest = String(x);
  const e = shortest.indexOf('e');
  if (e < 0) return shortest;
  const positional = toPositional(shortest.slice(0, e), Number(shortest.slice(e + 1)));
  return positional.length <= maxNumberChars ? positional : shortest.replace('e+', 'e');
}

/** Spells mantissa·10^exponent without an exponent, using exactly the mantissa's digits. */
function toPositional(mantissa: string, exponent: number): string {
  const negative = mantissa.startsWith('-');
  const unsigned = negative ? mantissa.slice(1) : mantissa;
  const dot = unsigned.indexOf('.');
  const digits = dot < 0 ? unsigned : unsigned.slice(0, dot) + unsigned.slice(dot + 1);
  const pointAt = (dot < 0 ? unsigned.length : dot) + exponent;
  let body: string;
  if (pointAt <= 0) body = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) body = digits + '0'.repeat(pointAt - digits.length);
  else body = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${body}` : body;
}

/** ` + 2.5 x`, ` - x`, ` + 0 x`. */
function term(coefficient: number, colName: string): string {
  const sign = coefficient < 0 ? '-' : '+';
  const magnitude = Math.abs(coefficient);
  return magnitude === 1 ? ` ${sign} ${colName}` : ` ${sign} ${formatLpNumber(magnitude)} ${colName}`;
}

function isBinary(integer: number, lower: number, upper: number): boolean {
  return integer !== 0 && lower === 0 && upper === 1;
}

function hasRangedRow(model: LinearModel): boolean {
  for (let r = 0; r < model.rowNames.length; r++) {
    const lower = model.rowLower[r];
    const upper = model.rowUpper[r];
    if (lower !== upper && Number.isFinite(lower) && Number.isFinite(upper)) return true;
  }
  return false;
}

function uniqueLabel(label: string, rowNames: string[]): string {
  return rowNames.includes(label) ? freshLabel(label, new Set(rowNames)) : label;
}

/** `label`, or `label~2`, `label~3`… if taken; the result is recorded as taken. */
function freshLabel(label: string, taken: Set<string>): string {
  let candidate = label;
  for (let n = 2; taken.has(candidate); n++) candidate = `${label}~${n}`;
  taken.add(candidate);
  return candidate;
}

/** Names must fit on a line next to a coefficient; LP-safe characters are the builder's job. */
function checkNames(names: string[], kind: 'row' | 'column'): void {
  for (let i = 0; i < names.length; i++) {
    const length = names[i].length;
    if (length === 0 || length > maxNameChars) {
      throw new RangeError(`${kind} ${i} has a name of ${length} characters; LP format allows 1 to ${maxNameChars}`);
    }
  }
}

function checked(x: number, where: string): number {
  if (Number.isNaN(x)) throw new RangeError(`NaN in ${where}; cannot write LP format`);
  return x;
}

function clip(line: string): string {
  return line.length > maxLineChars ? line.slice(0, maxLineChars) : line;
}
