import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import type {
  CancelOperationRequest,
  DeleteOperationRequest,
  GetOperationRequest,
  ListOperationsRequest,
  ListOperationsResponse,
  Operation,
  OperationsServer,
  WaitOperationRequest,
} from '../generated/google/longrunning/operations.js';
import type { Empty } from '../generated/google/protobuf/empty.js';
import type { PlanRunner } from '../standing/PlanRunner.js';
import { handleUnaryCall } from './handleUnaryCall.js';

/** WaitOperation's longest wait when neither `timeout` nor a call deadline bounds it. */
export const maxWaitMs = 600_000;

/**
 * google.longrunning.Operations over the standing planner's plan runs (PlanRunner): Get, List
 * (newest first; `filter` = `state = NAME` terms), Wait (until done, `timeout`, or shortly before
 * the call's deadline, at most 10 minutes), Cancel, Delete.
 */
export function createOperationsService(deps: { runner: PlanRunner; logger: Logger }): OperationsServer {
  const { runner, logger } = deps;
  return {
    getOperation: handleUnaryCall<GetOperationRequest, Operation>('GetOperation', (request) => runner.getOperation(request.name), logger),
    listOperations: handleUnaryCall<ListOperationsRequest, ListOperationsResponse>('ListOperations', (request) => runner.listOperations(request), logger),
    waitOperation: handleUnaryCall<WaitOperationRequest, Operation>(
      'WaitOperation',
      async (request, context) => {
        let timeoutMs = maxWaitMs;
        if (request.timeout) {
          const { seconds, nanos } = request.timeout;
          const ms = Number(seconds) * 1000 + Number(nanos) / 1e6;
          if (!Number.isFinite(ms) || ms < 0) {
            throw CoschedError.invalid([{ field: 'timeout', description: `got ${seconds}s ${nanos}ns; expected a duration >= 0` }], 'request', 'INVALID_REQUEST');
          }
          timeoutMs = Math.min(ms, maxWaitMs);
        }
        // Answer a little before the call's deadline, so the client gets the state rather than DEADLINE_EXCEEDED.
        if (Number.isFinite(context.deadlineMs)) timeoutMs = Math.max(0, Math.min(timeoutMs, context.deadlineMs - Date.now() - 250));
        return runner.waitOperation(request.name, timeoutMs, context.signal);
      },
      logger,
    ),
    cancelOperation: handleUnaryCall<CancelOperationRequest, Empty>(
      'CancelOperation',
      async (request) => {
        await runner.cancelOperation(request.name);
        return {};
      },
      logger,
    ),
    deleteOperation: handleUnaryCall<DeleteOperationRequest, Empty>(
      'DeleteOperation',
      async (request) => {
        await runner.deleteOperation(request.name);
        return {};
      },
      logger,
    ),
  };
}
