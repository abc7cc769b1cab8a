import type { Problem } from '../../solver/problem/Problem.js';
import { hourToMs } from '../../solver/problem/formatHour.js';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Start of horizon hour `hour` (may be fractional) in UTC as a person reads it:
 * `2026-07-01 05:00Z`, or with `short` the chart axes' style without the year, `01 Jul 05:00`.
 */
export function formatUtcHour(problem: Problem, hour: number, options: { short?: boolean } = {}): string {
  const date = new Date(hourToMs(problem, hour));
  const iso = date.toISOString();
  if (options.short) return `${iso.slice(8, 10)} ${months[date.getUTCMonth()]} ${iso.slice(11, 16)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}
