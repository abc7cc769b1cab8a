import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { PlanRunMetadata } from '../generated/cosched/v1/standing_planner_service.js';
import type { Operation } from '../generated/google/longrunning/operations.js';
import type { Status } from '../generated/google/rpc/status.js';

/** Type URLs of the messages a plan run's Operation packs (see the server's toOperation). */
export const planRunMetadataTypeUrl = 'type.googleapis.com/cosched.v1.PlanRunMetadata';
export const planResponseTypeUrl = 'type.googleapis.com/cosched.v1.PlanResponse';

/** A plan run's Operation with its packed messages decoded. */
export interface PlanRunOperation {
  /** `operations/{run}`. */
  name: string;
  done: boolean;
  /** The PlanRunMetadata; undefined when the operation carries none (or another type). */
  metadata?: PlanRunMetadata;
  /** When done with a plan. */
  response?: PlanResponse;
  /** When done without a plan (failed, cancelled, missed). */
  error?: Status;
}

/**
 * Decodes a plan run's google.longrunning.Operation: `metadata` as cosched.v1.PlanRunMetadata and
 * `response` as cosched.v1.PlanResponse, each only when its Any has that type URL.
 *
 * @throws Error when a packed message of the expected type does not decode (a corrupt answer).
 */
export function decodePlanRunOperation(operation: Operation): PlanRunOperation {
  const decoded: PlanRunOperation = { name: operation.name, done: operation.done };
  if (operation.metadata?.typeUrl === planRunMetadataTypeUrl) decoded.metadata = PlanRunMetadata.decode(operation.metadata.value);
  if (operation.result?.$case === 'response' && operation.result.value.typeUrl === planResponseTypeUrl) decoded.response = PlanResponse.decode(operation.result.value.value);
  if (operation.result?.$case === 'error') decoded.error = operation.result.value;
  return decoded;
}
