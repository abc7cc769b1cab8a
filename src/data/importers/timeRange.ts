import { describeJsonValue } from '../describeJsonValue.js';
import { formatUtcInstant } from '../formatUtcInstant.js';
import type { LineViolations } from './LineViolations.js';

/** Optional cut of an import to the hours starting in [from, to) (epoch milliseconds). */
export interface TimeRange {
  /** Keep hours starting at or after this instant (epoch ms). Unset: from the file's first hour. */
  from?: number;
  /** Keep hours starting before this instant (epoch ms). Unset: to the file's last hour. */
  to?: number;
}

/** Adds a violation on `options.from` / `options.to` when they are not finite, or to <= from. */
export function checkTimeRange(range: TimeRange, violations: LineViolations): void {
  for (const key of ['from', 'to'] as const) {
    const value = range[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      violations.add(`options.${key}`, `got ${describeJsonValue(value)}; expected epoch milliseconds (a finite number) or nothing`);
    }
  }
  const { from, to } = range;
  if (typeof from === 'number' && typeof to === 'number' && Number.isFinite(from) && Number.isFinite(to) && to <= from) {
    violations.add('options.to', `got ${formatUtcInstant(to)}, not after from ${formatUtcInstant(from)}; expected to > from`);
  }
}

/** Whether an hour starting at `hourMs` is kept. */
export function inTimeRange(hourMs: number, range: TimeRange): boolean {
  return (range.from === undefined || hourMs >= range.from) && (range.to === undefined || hourMs < range.to);
}

/** `[2022-07-01T00:00Z, 2022-08-01T00:00Z)`, with `...` for an open end. */
export function describeTimeRange(range: TimeRange): string {
  return `[${range.from === undefined ? '...' : formatUtcInstant(range.from)}, ${range.to === undefined ? '...' : formatUtcInstant(range.to)})`;
}

/** Whether the caller asked for a cut at all. */
export function hasTimeRange(range: TimeRange): boolean {
  return range.from !== undefined || range.to !== undefined;
}
