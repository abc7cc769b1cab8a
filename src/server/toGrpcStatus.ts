import { randomUUID } from 'node:crypto';
import { Metadata, status as grpcCode, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CoschedError, type CoschedErrorCode, type FieldViolation } from '../../solver/errors/CoschedError.js';
import type { Any } from '../generated/google/protobuf/any.js';
import { BadRequest, ErrorInfo, PreconditionFailure, QuotaFailure, ResourceInfo, RetryInfo } from '../generated/google/rpc/error_details.js';
import { Status } from '../generated/google/rpc/status.js';

/** ErrorInfo.domain of every cosched error. */
export const errorDomain = 'cosched.dev';

/** The trailer that carries a serialised google.rpc.Status (the gRPC "richer error model"). */
export const statusDetailsKey = 'grpc-status-details-bin';

/**
 * Budget for a status's message and details, in bytes as sent: the percent-encoded grpc-message
 * plus the base64 grpc-status-details-bin. Both travel in HTTP/2 headers, and gRPC clients refuse
 * headers over their metadata limit (grpcio: 8 KiB by default) with RESOURCE_EXHAUSTED, showing
 * none of the details. 6,000 bytes leaves room for the other headers.
 */
export const maxStatusBytes = 6_000;

const codes: Record<CoschedErrorCode, grpcCode> = {
  INVALID_ARGUMENT: grpcCode.INVALID_ARGUMENT,
  RESOURCE_EXHAUSTED: grpcCode.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: grpcCode.DEADLINE_EXCEEDED,
  CANCELLED: grpcCode.CANCELLED,
  NOT_FOUND: grpcCode.NOT_FOUND,
  ALREADY_EXISTS: grpcCode.ALREADY_EXISTS,
  FAILED_PRECONDITION: grpcCode.FAILED_PRECONDITION,
  ABORTED: grpcCode.ABORTED,
  UNAVAILABLE: grpcCode.UNAVAILABLE,
  UNAUTHENTICATED: grpcCode.UNAUTHENTICATED,
  PERMISSION_DENIED: grpcCode.PERMISSION_DENIED,
  INTERNAL: grpcCode.INTERNAL,
};

/**
 * The server's one translation point from an error to a gRPC status (after nice-grpc's
 * createErrorStatusObject): every handler failure leaves through here.
 *
 * - A CoschedError keeps its code and message. Its `grpc-status-details-bin` trailer holds a
 *   google.rpc.Status (same code, same message) whose details are an ErrorInfo (the error's reason,
 *   domain `cosched.dev`, metadata) and:
 *   - for INVALID_ARGUMENT, a BadRequest with one FieldViolation per bad field (paths relative to
 *     the PlanRequest, e.g. `jobs[3].deadline`), ErrorInfo metadata `violations` = their count;
 *   - for NOT_FOUND, ALREADY_EXISTS and FAILED_PRECONDITION with violations, the same BadRequest
 *     (field paths), plus a PreconditionFailure (type = the reason, subject = the field) or a
 *     ResourceInfo (the first violation) respectively;
 *   - for RESOURCE_EXHAUSTED, a QuotaFailure with one violation per exceeded limit, its subject
 *     the limit's name (the CoschedError violation's `field`, e.g. `max_cells`), ErrorInfo
 *     metadata `limit` = the first one.
 *   - with `retryAfterMs` (any code), a RetryInfo whose retry_delay is that long.
 * - Message and details together stay within `maxStatusBytes`: when every violation does not fit,
 *   the first ones that do are sent, and the message ends `... and N more (ValidatePlanRequest
 *   lists every one)`; ErrorInfo still counts them all. A message too long on its own is cut.
 * - A CoschedError INTERNAL (a bug caught by cosched itself, e.g. a failed plan check) is also
 *   logged with its stack.
 * - Anything else becomes INTERNAL with a generic message and an error id; the error is logged
 *   with its stack and that id, and never reaches the client.
 */
export function toGrpcStatus(error: unknown, logger: Logger): StatusObject {
  if (!(error instanceof CoschedError)) {
    const errorId = randomUUID().slice(0, 8);
    logger.error({ err: error, errorId }, 'internal error');
    const message = `internal error (the server logged it as error ${errorId})`;
    return withDetails(grpcCode.INTERNAL, message, [pack('ErrorInfo', ErrorInfo.encode({ reason: 'INTERNAL_ERROR', domain: errorDomain, metadata: { errorId } }).finish())]);
  }
  const code = codes[error.code] ?? grpcCode.INTERNAL;
  if (code === grpcCode.INTERNAL) logger.error({ err: error }, 'internal error');
  const metadata: Record<string, string> = {};
  if (error.code === 'INVALID_ARGUMENT' && error.violations.length > 0) metadata.violations = String(error.violations.length);
  if (error.code === 'RESOURCE_EXHAUSTED' && error.violations.length > 0) metadata.limit = error.violations[0].field;
  const errorInfo = pack('ErrorInfo', ErrorInfo.encode({ reason: error.reason, domain: errorDomain, metadata }).finish());

  // The most violations (first ones first) whose message and details fit the budget.
  const statusWith = (kept: number): { message: string; status: Status } => {
    const violations = error.violations.slice(0, kept);
    const message = kept === error.violations.length ? error.message : shortenedMessage(error, violations);
    const details = [errorInfo];
    if (fieldCodes.includes(error.code) && error.violations.length > 0) {
      details.push(pack('BadRequest', BadRequest.encode({ fieldViolations: violations }).finish()));
    }
    if (error.code === 'FAILED_PRECONDITION' && error.violations.length > 0) {
      const failures = violations.map((v) => ({ type: error.reason, subject: v.field, description: v.description }));
      details.push(pack('PreconditionFailure', PreconditionFailure.encode({ violations: failures }).finish()));
    }
    if ((error.code === 'NOT_FOUND' || error.code === 'ALREADY_EXISTS') && error.violations.length > 0) {
      details.push(
        pack('ResourceInfo', ResourceInfo.encode({ resourceType: 'cosched.v1', resourceName: violations[0].field, owner: '', description: violations[0].description }).finish()),
      );
    }
    if (error.code === 'RESOURCE_EXHAUSTED' && error.violations.length > 0) {
      details.push(pack('QuotaFailure', QuotaFailure.encode({ violations: violations.map((v) => ({ subject: v.field, description: v.description })) }).finish()));
    }
    if (error.retryAfterMs !== undefined) details.push(pack('RetryInfo', RetryInfo.encode({ retryDelay: durationOf(error.retryAfterMs) }).finish()));
    return { message, status: { code, message, details } };
  };
  let low = 0;
  let high = error.violations.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (sentBytes(statusWith(middle).status) <= maxStatusBytes) low = middle;
    else high = middle - 1;
  }
  let { message, status } = statusWith(low);
  // The message alone too long (say, a long internal report): keep as much of its start as fits.
  for (let length = message.length; sentBytes(status) > maxStatusBytes && length > 0; length = Math.floor(length / 2)) {
    message = `${message.slice(0, length)}... (cut: too long for a gRPC status)`;
    status = { ...status, message };
  }
  return withStatus(code, message, status);
}

/** Bytes the status takes in headers: grpc-message percent-encoded, the details in base64. */
function sentBytes(status: Status): number {
  return encodeURI(status.message).length + 4 * Math.ceil(Status.encode(status).finish().length / 3);
}

function withDetails(code: grpcCode, message: string, details: Any[]): StatusObject {
  return withStatus(code, message, { code, message, details });
}

function withStatus(code: grpcCode, message: string, status: Status): StatusObject {
  const metadata = new Metadata();
  metadata.set(statusDetailsKey, Buffer.from(Status.encode(status).finish()));
  return { code, details: message, metadata };
}

/** Codes whose violations travel as google.rpc.BadRequest field violations (field path, value, what is allowed). */
const fieldCodes: readonly CoschedErrorCode[] = ['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'FAILED_PRECONDITION'];

/** A google.protobuf.Duration of `ms` milliseconds (at least 1 ms). */
function durationOf(ms: number): { seconds: number; nanos: number } {
  const whole = Math.max(1, Math.ceil(ms));
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1_000_000 };
}

function pack(name: 'BadRequest' | 'ErrorInfo' | 'QuotaFailure' | 'PreconditionFailure' | 'ResourceInfo' | 'RetryInfo', value: Uint8Array): Any {
  return { typeUrl: `type.googleapis.com/google.rpc.${name}`, value };
}

/** The first line of the message, then the kept violations and how many were left out. */
function shortenedMessage(error: CoschedError, kept: FieldViolation[]): string {
  const summary = error.message.split('\n')[0];
  const lines = kept.map((v) => `  ${v.field}: ${v.description}`);
  return [summary, ...lines, `  ... and ${error.violations.length - kept.length} more (ValidatePlanRequest lists every one)`].join('\n');
}
