import type { PlanEvent } from '../../solver/plan/PlanCallbacks.js';
import type { Problem } from '../../solver/problem/Problem.js';
import type { PlanDeadline, PoolPlanOptions } from '../server/PlanWorkerPool.js';
import { traceCarrier, type TraceCarrier } from '../tracing/PlanPhaseSink.js';
import { parseQueueJson, stringifyQueueJson } from './queueJson.js';

/**
 * A plan as a BullMQ job carries it (the job's data, stored as JSON in Redis). Its return value
 * is the PlanResult in queue JSON (stringifyQueueJson), and its progress one ProgressEnvelope (a
 * PlanEvent and its attempt) in queue JSON at a time.
 */
export interface PlanJobData {
  /** The Problem in queue JSON (so that `gridImportLimitMw: Infinity` stays Infinity). */
  problem: string;
  /** The solver time limit asked for when the plan was enqueued (PoolPlanOptions.timeLimitSeconds). */
  timeLimitSeconds: number;
  /**
   * The call's deadline (epoch ms; server and workers need synchronised clocks): the worker
   * recomputes the limit from it when it starts the plan, and does not start it past it.
   */
  deadline?: PlanDeadline;
  /** Whether the caller listens to the plan's events (without, the worker sends none). */
  events: boolean;
  /** The caller's trace context (W3C traceparent/tracestate) when the server traces; the worker continues it. */
  traceContext?: TraceCarrier;
}

/** The job data of `problem`, asking `options.timeLimitSeconds()` now (it may throw). */
export function toPlanJobData(problem: Problem, options: PoolPlanOptions): PlanJobData {
  return {
    problem: stringifyQueueJson(problem),
    timeLimitSeconds: options.timeLimitSeconds?.() ?? problem.options.timeLimitSeconds,
    deadline: options.deadline,
    events: options.onEvent !== undefined,
    traceContext: traceCarrier(),
  };
}

/** The Problem a job carries. */
export function problemOfJob(data: PlanJobData): Problem {
  return parseQueueJson<Problem>(data.problem);
}

/** A plan event as a worker sends it in the job's progress: with the attempt it belongs to (BullMQ's attemptsStarted). */
export interface ProgressEnvelope {
  attempt: number;
  event: PlanEvent;
}
