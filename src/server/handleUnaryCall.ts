import { status as grpcCode, type handleUnaryCall as GrpcUnaryHandler } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createCallContext, type CallContext } from './CallContext.js';
import { callLogger as loggerFor, logCallEnd } from './logCallEnd.js';
import { toGrpcStatus } from './toGrpcStatus.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { UndecodableRequest } from './UndecodableRequest.js';

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
    const callLogger = loggerFor(logger, method, call);
    const end = (code: grpcCode, reason?: string) => {
      finished = true;
      logCallEnd(callLogger, context, code, reason);
    };
    // Bytes that did not decode (withTolerantDecoding) are answered INVALID_ARGUMENT.
    const request: unknown = call.request;
    (request instanceof UndecodableRequest ? request.reject(context.logFields) : implementation(call.request, context)).then(
      (response) => {
        end(grpcCode.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const status = toGrpcStatus(error, callLogger);
        end(status.code, error instanceof CoschedError ? error.reason : undefined);
        callback(status);
      },
    );
  };
}
