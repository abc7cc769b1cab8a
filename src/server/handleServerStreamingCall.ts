import { status as grpcCode, type handleServerStreamingCall as GrpcStreamingHandler } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createCallContext, type CallContext } from './CallContext.js';
import { callLogger as loggerFor, logCallEnd } from './logCallEnd.js';
import { toGrpcStatus } from './toGrpcStatus.js';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { UndecodableRequest } from './UndecodableRequest.js';

/**
 * A grpc-js server-streaming handler around an async implementation that calls `send` for each
 * response message: the stream ends with OK when the implementation resolves, and with the status
 * from toGrpcStatus when it throws. Messages sent after the client left are dropped. Never throws
 * into grpc-js. Writes one log line per call (see logCallEnd).
 */
export function handleServerStreamingCall<Request, Response>(
  method: string,
  implementation: (request: Request, context: CallContext, send: (message: Response) => void) => Promise<void>,
  logger: Logger,
): GrpcStreamingHandler<Request, Response> {
  return (call) => {
    const startedMs = performance.now();
    let finished = false;
    const context = createCallContext(call, startedMs, () => finished);
    const callLogger = loggerFor(logger, method, call);
    const end = (code: grpcCode, reason?: string) => {
      finished = true;
      logCallEnd(callLogger, context, code, reason);
    };
    const send = (message: Response) => {
      if (!call.cancelled && !call.writableEnded) call.write(message);
    };
    // Bytes that did not decode (withTolerantDecoding) are answered INVALID_ARGUMENT.
    const request: unknown = call.request;
    (request instanceof UndecodableRequest ? request.reject(context.logFields) : implementation(call.request, context, send)).then(
      () => {
        end(grpcCode.OK);
        if (!call.writableEnded) call.end();
      },
      (error: unknown) => {
        const status = toGrpcStatus(error, callLogger);
        end(status.code, error instanceof CoschedError ? error.reason : undefined);
        // grpc-js ends the stream with the status of an 'error' event.
        if (!call.writableEnded) call.emit('error', status);
      },
    );
  };
}
