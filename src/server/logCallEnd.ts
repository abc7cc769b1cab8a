import { status as grpcCode } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { CallContext } from './CallContext.js';

/**
 * Writes a call's one log line: `call done` with the status code (as the client saw it: when the
 * client cancelled or the deadline passed first, that code rather than the handler's), its
 * name, the duration in ms and the context's log fields (problem size, termination). Level info,
 * or warn for INTERNAL and UNKNOWN.
 */
export function logCallEnd(logger: Logger, context: CallContext, handlerCode: grpcCode): void {
  const reason: unknown = context.signal.aborted ? context.signal.reason : undefined;
  const clientCode = (reason as { code?: string } | undefined)?.code === 'DEADLINE_EXCEEDED' ? grpcCode.DEADLINE_EXCEEDED : grpcCode.CANCELLED;
  const code = context.signal.aborted ? clientCode : handlerCode;
  const fields = { ...context.logFields, code: grpcCode[code], grpcCode: code, durationMs: Math.round(context.elapsedMs() * 10) / 10 };
  if (code === grpcCode.INTERNAL || code === grpcCode.UNKNOWN) logger.warn(fields, 'call done');
  else logger.info(fields, 'call done');
}
