import { status as grpcCode, type handleUnaryCall as GrpcUnaryHandler } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createCallContext, type CallContext } from './CallContext.js';
import { logCallEnd } from './logCallEnd.js';
import { toGrpcStatus } from './toGrpcStatus.js';

/**
 * A grpc-js unary handler around an async implementation (after nice-grpc's handleUnaryCall):
 * the implementation's value is the response; whatever it throws leaves through toGrpcStatus.
 * It never throws into grpc-js and never leaves a call unanswered. Writes one log line per call
 * (see logCallEnd).
 */
export function handleUnaryCall<Request, Response>(
  method: string,
  implementation: (request: Request, context: CallContext) => Promise<Response>,
  logger: Logger,
): GrpcUnaryHandler<Request, Response> {
  return (call, callback) => {
    const startedMs = performance.now();
    let finished = false;
    const context = createCallContext(call, startedMs, () => finished);
    const callLogger = logger.child({ method });
    const end = (code: grpcCode) => {
      finished = true;
      logCallEnd(callLogger, context, code);
    };
    implementation(call.request, context).then(
      (response) => {
        end(grpcCode.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const status = toGrpcStatus(error, callLogger);
        end(status.code);
        callback(status);
      },
    );
  };
}
