import type { CallContext } from './CallContext.js';
import type { PlanDeadline } from './PlanWorkerPool.js';

/**
 * The call's deadline as a plan carries it to an executor (PoolPlanOptions.deadline): the
 * deadline and the server's margin before it; undefined when the client set no deadline.
 */
export function callDeadline(context: Pick<CallContext, 'deadlineMs'>, deps: { deadlineMarginMs: number }): PlanDeadline | undefined {
  return Number.isFinite(context.deadlineMs) ? { deadlineMs: context.deadlineMs, marginMs: deps.deadlineMarginMs } : undefined;
}
