import type { Metadata } from '@grpc/grpc-js';
import { BadRequest, ErrorInfo, QuotaFailure, RetryInfo } from '../generated/google/rpc/error_details.js';
import { Status } from '../generated/google/rpc/status.js';

/** The rich error details of a gRPC status, as cosched sends them (each absent when not sent). */
export interface StatusDetails {
  /** The google.rpc.Status itself (code, message, packed details). */
  status?: Status;
  badRequest?: BadRequest;
  errorInfo?: ErrorInfo;
  quotaFailure?: QuotaFailure;
  /** When to retry (RESOURCE_EXHAUSTED of the per-client limits). */
  retryInfo?: RetryInfo;
}

const typeUrlPrefix = 'type.googleapis.com/google.rpc.';

/**
 * Reads the `grpc-status-details-bin` trailer of a failed call (e.g. `error.metadata` of a
 * grpc-js ServiceError) and unpacks the google.rpc.BadRequest, ErrorInfo, QuotaFailure and RetryInfo in it.
 * Details of other types are ignored; no trailer, or one that does not decode, gives `{}`.
 */
export function decodeStatusDetails(metadata: Metadata | undefined): StatusDetails {
  const raw = metadata?.get('grpc-status-details-bin')[0];
  if (!(raw instanceof Uint8Array)) return {};
  try {
    const status = Status.decode(raw);
    const details: StatusDetails = { status };
    for (const any of status.details) {
      if (!any.typeUrl.startsWith(typeUrlPrefix)) continue;
      const type = any.typeUrl.slice(typeUrlPrefix.length);
      if (type === 'BadRequest') details.badRequest = BadRequest.decode(any.value);
      else if (type === 'ErrorInfo') details.errorInfo = ErrorInfo.decode(any.value);
      else if (type === 'QuotaFailure') details.quotaFailure = QuotaFailure.decode(any.value);
      else if (type === 'RetryInfo') details.retryInfo = RetryInfo.decode(any.value);
    }
    return details;
  } catch {
    return {};
  }
}
