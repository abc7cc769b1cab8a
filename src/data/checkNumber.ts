import { describeJsonValue } from './describeJsonValue.js';
import type { ViolationList } from './ViolationList.js';

/** What a number must be. Bounds are inclusive unless marked exclusive. */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** Appended to the bound, e.g. `kW` gives "expected > 0 kW". */
  unit?: string;
  /** Appended in parentheses, e.g. `0 means 60`. */
  note?: string;
}

/**
 * Checks that `value` is a finite number obeying `rule` (NaN and ±Infinity never are), and adds
 * one violation at `path` otherwise, such as `got -0.7; expected > 0 kW` or
 * `got 2.5; expected an integer >= 1`. Returns whether the value was fine. Safe on any value.
 */
export function checkNumber(value: unknown, rule: NumberRule, path: string, violations: ViolationList): value is number {
  const problem = numberProblem(value, rule);
  if (problem !== undefined) violations.add(path, problem);
  return problem === undefined;
}

/** The description checkNumber would report for `value`, or undefined when it is fine. */
export function numberProblem(value: unknown, rule: NumberRule): string | undefined {
  // The message is built only for a bad value: this runs once per hourly value of every request.
  let suffix = '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      suffix = ' (NaN and Infinity are not allowed)';
    } else {
      const tooLow = rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min);
      const tooHigh = rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max);
      if (!((rule.integer && !Number.isInteger(value)) || tooLow || tooHigh)) return undefined;
    }
  }
  return `got ${describeJsonValue(value)}; expected ${describeNumberRule(rule)}${suffix}`;
}

/**
 * "> 0 kW", "an integer >= 1", "an integer 0..8", "a number in [0, 86400] seconds (0 means 60)",
 * "a number in (0, 1e9] GPU-hours", "a number in [0, 1)". Bounds of a million or more are written
 * as powers of ten (1e6) when that is exact.
 */
export function describeNumberRule(rule: NumberRule): string {
  const unit = rule.unit === undefined ? '' : ` ${rule.unit}`;
  const note = rule.note === undefined ? '' : ` (${rule.note})`;
  const { min, max } = rule;
  let bounds: string;
  if (min !== undefined && max !== undefined) {
    bounds = rule.integer && !rule.minExclusive && !rule.maxExclusive
      ? `an integer ${formatBound(min)}..${formatBound(max)}${unit}`
      : `a number in ${rule.minExclusive ? '(' : '['}${formatBound(min)}, ${formatBound(max)}${rule.maxExclusive ? ')' : ']'}${unit}`;
  } else if (min !== undefined) {
    bounds = `${rule.integer ? 'an integer ' : ''}${rule.minExclusive ? '>' : '>='} ${formatBound(min)}${unit}`;
  } else if (max !== undefined) {
    bounds = `${rule.integer ? 'an integer ' : ''}${rule.maxExclusive ? '<' : '<='} ${formatBound(max)}${unit}`;
  } else {
    bounds = `${rule.integer ? 'an integer' : 'a finite number'}${unit}`;
  }
  return `${bounds}${note}`;
}

/** 86400 stays 86400; 1000000 becomes 1e6 and -1e6 stays -1e6 (exact powers of ten only). */
function formatBound(value: number): string {
  const exponent = Math.log10(Math.abs(value));
  if (Math.abs(value) >= 1e6 && Number.isInteger(exponent)) return `${value < 0 ? '-' : ''}1e${exponent}`;
  return String(value);
}
