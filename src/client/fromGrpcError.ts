import { status as grpcCode, type ServiceError } from '@grpc/grpc-js';
import { CoschedError, type CoschedErrorCode } from '../../solver/errors/CoschedError.js';
import { decodeStatusDetails } from './decodeStatusDetails.js';

const sameCodes: Partial<Record<grpcCode, CoschedErrorCode>> = {
  [grpcCode.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [grpcCode.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [grpcCode.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [grpcCode.CANCELLED]: 'CANCELLED',
  [grpcCode.NOT_FOUND]: 'NOT_FOUND',
  [grpcCode.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [grpcCode.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [grpcCode.ABORTED]: 'ABORTED',
  [grpcCode.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [grpcCode.PERMISSION_DENIED]: 'PERMISSION_DENIED',
};

/**
 * The client's one translation point from a failed gRPC call to cosched's domain error, the
 * inverse of the server's toGrpcStatus, so that callers (the CLI) handle a remote failure like a
 * local one.
 *
 * - INVALID_ARGUMENT, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED, NOT_FOUND, ALREADY_EXISTS,
 *   FAILED_PRECONDITION, ABORTED, UNAUTHENTICATED and PERMISSION_DENIED keep their
 *   code and the server's message (for an invalid request, the same text local validation
 *   gives); BadRequest field violations, or QuotaFailure violations (subject as `field`), become
 *   the error's violations, and ErrorInfo's reason its reason.
 * - UNAVAILABLE (no server, refused connection, server shutting down) becomes INTERNAL with reason
 *   SERVER_UNAVAILABLE, naming `address`.
 * - Anything else becomes INTERNAL naming the address, the gRPC code and the server's message.
 */
export function fromGrpcError(error: ServiceError, address: string): CoschedError {
  const details = decodeStatusDetails(error.metadata);
  const reason = details.errorInfo?.reason || undefined;
  const code = sameCodes[error.code as grpcCode];
  if (code) {
    const violations =
      details.badRequest?.fieldViolations.map((v) => ({ field: v.field, description: v.description })) ??
      details.quotaFailure?.violations.map((v) => ({ field: v.subject, description: v.description })) ??
      [];
    return new CoschedError(code, error.details, { violations, reason, cause: error });
  }
  if (error.code === grpcCode.UNAVAILABLE) {
    return new CoschedError('INTERNAL', `cannot reach the cosched server at ${address}: ${error.details}`, { reason: 'SERVER_UNAVAILABLE', cause: error });
  }
  return new CoschedError('INTERNAL', `the cosched server at ${address} answered ${grpcCode[error.code] ?? error.code}: ${error.details}`, { reason, cause: error });
}
