import { status as grpcCode, type Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { CallContext } from './CallContext.js';
import { clientIdentityKey } from './clientIdentityKey.js';


/**
 * The logger for one call's lines: `method`, the client's address `peer` (`host:port`) and, when
 * the call carries it, `client` (the `cosched-client` metadata value). Nothing else of the
 * metadata is logged: never `authorization` or any other header value.
 */
export function callLogger(logger: Logger, method: string, call: { getPeer(): string; metadata: Metadata }): Logger {
  const client = call.metadata.get(clientIdentityKey)[0];
  return logger.child({ method, peer: call.getPeer(), ...(typeof client === 'string' && client !== '' ? { client } : {}) });
}

/**
 * Writes a call's one log line: `call done` with the status code (as the client saw it: when the
 * client cancelled or the deadline passed first, that code rather than the handler's), its name,
 * the error's `reason` (the ErrorInfo reason: `handlerReason`, or CALL_CANCELLED / DEADLINE_PASSED
 * when the client left), the duration in ms and the context's log fields (problem size,
 * termination). Level info, or warn for INTERNAL and UNKNOWN.
 */
export function logCallEnd(logger: Logger, context: CallContext, handlerCode: grpcCode, handlerReason?: string): void {
  const aborted = (context.signal.aborted ? context.signal.reason : undefined) as { code?: string; reason?: string } | undefined;
  const clientCode = aborted?.code === 'DEADLINE_EXCEEDED' ? grpcCode.DEADLINE_EXCEEDED : grpcCode.CANCELLED;
  const code = context.signal.aborted ? clientCode : handlerCode;
  const reason = context.signal.aborted ? aborted?.reason : handlerReason;
  const fields = {
    ...context.logFields,
    code: grpcCode[code],
    grpcCode: code,
    ...(reason ? { reason } : {}),
    durationMs: Math.round(context.elapsedMs() * 10) / 10,
  };
  if (code === grpcCode.INTERNAL || code === grpcCode.UNKNOWN) logger.warn(fields, 'call done');
  else logger.info(fields, 'call done');
}
