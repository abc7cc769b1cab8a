import { Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import type {
  CoSchedulerServiceClient,
  PlanProgress,
  ValidatePlanRequestResponse,
} from '../../src/generated/cosched/v1/co_scheduler_service.js';
import type { EvaluatePlanRequest, EvaluatePlanResponse } from '../../src/generated/cosched/v1/evaluate.js';
import type { PlanRequest } from '../../src/generated/cosched/v1/plan_request.js';
import type { PlanResponse } from '../../src/generated/cosched/v1/plan_response.js';

/** Plan as a promise; rejects with the ServiceError. `deadlineMs` is relative to now. */
export function callPlan(client: CoSchedulerServiceClient, request: PlanRequest, deadlineMs?: number): Promise<PlanResponse> {
  return new Promise((resolve, reject) => {
    client.plan(request, new Metadata(), callOptions(deadlineMs), (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** ValidatePlanRequest as a promise. */
export function callValidate(client: CoSchedulerServiceClient, request: PlanRequest | undefined): Promise<ValidatePlanRequestResponse> {
  return new Promise((resolve, reject) => {
    client.validatePlanRequest({ request }, new Metadata(), {}, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** EvaluatePlan as a promise; rejects with the ServiceError. */
export function callEvaluate(client: CoSchedulerServiceClient, request: EvaluatePlanRequest): Promise<EvaluatePlanResponse> {
  return new Promise((resolve, reject) => {
    client.evaluatePlan(request, new Metadata(), {}, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** What a WatchPlan stream delivered: its progress events, the final plan if any, and the error if it failed. */
export interface WatchedPlan {
  progress: PlanProgress[];
  plan?: PlanResponse;
  error?: ServiceError;
}

/** Runs WatchPlan to its end; `onProgress` sees each event as it arrives. Never rejects. */
export function watchPlan(
  client: CoSchedulerServiceClient,
  request: PlanRequest,
  options: { deadlineMs?: number; onProgress?: (progress: PlanProgress) => void } = {},
): Promise<WatchedPlan> {
  return new Promise((resolve) => {
    const watched: WatchedPlan = { progress: [] };
    const stream = client.watchPlan({ request }, new Metadata(), callOptions(options.deadlineMs));
    stream.on('data', (message: { event?: { $case: 'progress'; value: PlanProgress } | { $case: 'plan'; value: PlanResponse } }) => {
      if (message.event?.$case === 'progress') {
        watched.progress.push(message.event.value);
        options.onProgress?.(message.event.value);
      } else if (message.event?.$case === 'plan') {
        watched.plan = message.event.value;
      }
    });
    // 'status' always comes, after 'error' when the call failed.
    stream.on('error', (error: ServiceError) => (watched.error = error));
    stream.on('status', () => resolve(watched));
  });
}

function callOptions(deadlineMs: number | undefined): Partial<CallOptions> {
  return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
}
