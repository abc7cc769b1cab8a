import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { decodeStatusDetails } from '../../src/client/decodeStatusDetails.js';
import { PlanRunMetadata, StandingPlannerServiceClient } from '../../src/generated/cosched/v1/standing_planner_service.js';
import { PlanResponse } from '../../src/generated/cosched/v1/plan_response.js';
import { OperationsClient, type Operation } from '../../src/generated/google/longrunning/operations.js';

/** Real clients of the standing planner and its operations, on one address. */
export interface StandingClients {
  planner: StandingPlannerServiceClient;
  operations: OperationsClient;
  close(): void;
}

export function standingClients(address: string): StandingClients {
  const planner = new StandingPlannerServiceClient(address, credentials.createInsecure());
  const operations = new OperationsClient(address, credentials.createInsecure());
  return { planner, operations, close: () => (planner.close(), operations.close()) };
}

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: object, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** A unary call as a promise; rejects with the ServiceError. */
export function unary<Req, Res>(client: object, method: UnaryMethod<Req, Res>, request: Req, deadlineMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Waits (WaitOperation, 5 s at a time) until the operation is done, at most `limitMs`. */
export async function waitDone(clients: StandingClients, name: string, limitMs = 60_000): Promise<Operation> {
  const until = Date.now() + limitMs;
  for (;;) {
    const operation = await unary(clients.operations, clients.operations.waitOperation, { name, timeout: { seconds: 5, nanos: 0 } }, 10_000);
    if (operation.done || Date.now() > until) return operation;
  }
}

/** The PlanRunMetadata packed in an operation. */
export function runMetadata(operation: Operation): PlanRunMetadata {
  return PlanRunMetadata.decode(operation.metadata!.value);
}

/** The PlanResponse of a succeeded operation (throws with the error otherwise). */
export function runResponse(operation: Operation): PlanResponse {
  if (operation.result?.$case !== 'response') throw new Error(`operation ${operation.name} has no response: ${JSON.stringify(operation.result)}`);
  return PlanResponse.decode(operation.result.value.value);
}

/** A call that must fail: its ServiceError with the BadRequest field violations it carries (throws when the call succeeds). */
export async function failure(call: Promise<unknown>): Promise<ServiceError & { fields: Array<{ field: string; description: string }> }> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: ServiceError) => e,
  );
  const details = decodeStatusDetails(error.metadata);
  return Object.assign(error, { fields: details.badRequest?.fieldViolations.map((v) => ({ field: v.field, description: v.description })) ?? [] });
}
