import type { Problem } from './Problem.js';

const msPerHour = 3_600_000;

/**
 * Formats horizon hour `hour` (may be fractional or outside the horizon) as a UTC ISO time
 * without seconds, e.g. `2026-07-01T05:00Z`, for messages and reasons.
 */
export function formatHour(problem: Problem, hour: number): string {
  const iso = new Date(problem.horizonStartMs + hour * msPerHour).toISOString();
  return iso.endsWith(':00.000Z') ? `${iso.slice(0, 16)}Z` : iso;
}

/** Epoch milliseconds of horizon hour `hour`. */
export function hourToMs(problem: Problem, hour: number): number {
  return problem.horizonStartMs + hour * msPerHour;
}
