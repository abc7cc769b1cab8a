import { PlanResponse } from '../generated/cosched/v1/plan_response.js';
import { PlanRunMetadata, PlanRunState } from '../generated/cosched/v1/standing_planner_service.js';
import type { Operation } from '../generated/google/longrunning/operations.js';
import { Status } from '../generated/google/rpc/status.js';
import type { RunState, StoredRun } from '../store/PlannerStore.js';
import { operationName } from './resourceNames.js';

/** Type URLs of the messages packed in a plan run's Operation. */
export const planRunMetadataTypeUrl = 'type.googleapis.com/cosched.v1.PlanRunMetadata';
export const planResponseTypeUrl = 'type.googleapis.com/cosched.v1.PlanResponse';

const stateEnum: Record<RunState, PlanRunState> = {
  queued: PlanRunState.PLAN_RUN_STATE_QUEUED,
  running: PlanRunState.PLAN_RUN_STATE_RUNNING,
  succeeded: PlanRunState.PLAN_RUN_STATE_SUCCEEDED,
  failed: PlanRunState.PLAN_RUN_STATE_FAILED,
  cancelled: PlanRunState.PLAN_RUN_STATE_CANCELLED,
  missed: PlanRunState.PLAN_RUN_STATE_MISSED,
};

/**
 * The google.longrunning.Operation of a stored run: name `operations/{id}`; metadata a packed
 * PlanRunMetadata (its state always the run's); done once succeeded, failed, cancelled or
 * missed; then `response` a packed PlanResponse (succeeded) or `error` the google.rpc.Status.
 */
export function toOperation(run: StoredRun): Operation {
  const metadata: PlanRunMetadata = { ...PlanRunMetadata.fromJSON(JSON.parse(run.metadataJson)), state: stateEnum[run.state] };
  const operation: Operation = {
    name: operationName(run.id),
    metadata: { typeUrl: planRunMetadataTypeUrl, value: PlanRunMetadata.encode(metadata).finish() },
    done: run.state !== 'queued' && run.state !== 'running',
    result: undefined,
  };
  if (run.state === 'succeeded') {
    operation.result = { $case: 'response', value: { typeUrl: planResponseTypeUrl, value: PlanResponse.encode(PlanResponse.fromJSON(JSON.parse(run.responseJson))).finish() } };
  } else if (operation.done) {
    const status = run.errorJson ? Status.fromJSON(JSON.parse(run.errorJson)) : { code: 2, message: 'the run ended without a plan', details: [] };
    operation.result = { $case: 'error', value: status };
  }
  return operation;
}
