import type { Planner } from './Planner.js';

/**
 * A planner that runs at most `maxConcurrent` plans of `planner` at once and queues the rest
 * (first come, first served), for callers without a worker pool of their own, such as the CLI
 * running each plan's HiGHS in a thread of its own. A failed plan frees its slot as a finished one does.
 *
 * @throws RangeError when maxConcurrent is not an integer >= 1.
 */
export function limitPlannerConcurrency(planner: Planner, maxConcurrent: number): Planner {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError(`maxConcurrent: got ${maxConcurrent}; expected an integer >= 1`);
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (problem, onEvent) => {
    if (running >= maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await planner(problem, onEvent);
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
