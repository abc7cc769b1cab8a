/** Below this budget no time limit can give a checked plan before the deadline. */
export const minimumSolveMs = 100;

/**
 * The solver time limit for a plan that starts now, given the call's deadline.
 *
 * - No deadline (Infinity): the request's own limit.
 * - Otherwise the budget is the remaining time minus a safety margin for building the response,
 *   the larger of `marginMs` and 10% of the remaining time; the limit is the smaller of the
 *   budget and the request's own limit. When that limit hits with a feasible schedule the plan
 *   is answered as TIME_LIMIT_FEASIBLE, before the deadline.
 * - A budget under `minimumSolveMs` (a deadline shorter than the margin, or mostly spent in the
 *   queue) cannot give a checked plan in time; the limit is then the remaining time (at most the
 *   request's), so the deadline ends the call: the client gets DEADLINE_EXCEEDED and the worker
 *   is stopped. No plan is shortened to a useless few milliseconds.
 *
 * @param requestSeconds the request's limit (options.timeLimitSeconds after defaults), > 0.
 * @param deadlineMs the call's deadline, epoch ms, or Infinity.
 * @param nowMs the current time, epoch ms.
 * @returns seconds, > 0.
 */
export function solverTimeLimitSeconds(requestSeconds: number, deadlineMs: number, nowMs: number, marginMs: number): number {
  if (!Number.isFinite(deadlineMs)) return requestSeconds;
  const remainingMs = deadlineMs - nowMs;
  const budgetMs = remainingMs - Math.max(marginMs, 0.1 * remainingMs);
  if (budgetMs >= minimumSolveMs) return Math.min(requestSeconds, budgetMs / 1000);
  return Math.min(requestSeconds, Math.max(remainingMs, 1) / 1000);
}
