import type { Problem } from '../../solver/problem/Problem.js';
import { hourToMs } from '../../solver/problem/formatHour.js';

/**
 * The x encoding every hourly report chart shares: `field` holds epoch milliseconds, shown on a
 * UTC time scale spanning exactly the horizon, labelled like `01 Jul 06:00`.
 */
export function horizonTimeEncoding(problem: Problem, field: string) {
  return {
    field,
    type: 'temporal' as const,
    scale: { type: 'utc' as const, domain: [hourToMs(problem, 0), hourToMs(problem, problem.hours)] },
    axis: { title: 'time (UTC)', format: '%d %b %H:%M', labelOverlap: true },
  };
}
