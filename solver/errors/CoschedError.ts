/**
 * The one domain error type. Every failure a caller should see travels as a CoschedError; the
 * edges translate it in one place each (gRPC: toGrpcStatus, CLI: the top-level catch).
 */
export type CoschedErrorCode =
  | 'INVALID_ARGUMENT'
  | 'RESOURCE_EXHAUSTED'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'INTERNAL';

/** One bad field: where, what was received, and what is allowed. */
export interface FieldViolation {
  /** Path in proto3 JSON names, e.g. `jobs[3].deadline`. */
  field: string;
  /** Human-readable: the value received and what is allowed. */
  description: string;
}

export class CoschedError extends Error {
  readonly code: CoschedErrorCode;
  readonly violations: FieldViolation[];
  /** Machine-readable reason for google.rpc.ErrorInfo, e.g. INVALID_PLAN_REQUEST. */
  readonly reason: string;
  /** When the client may retry (google.rpc.RetryInfo), in ms; unset when a retry would not help or may come at once. */
  readonly retryAfterMs: number | undefined;

  constructor(code: CoschedErrorCode, message: string, options: { violations?: FieldViolation[]; reason?: string; cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoschedError';
    this.code = code;
    this.violations = options.violations ?? [];
    this.reason = options.reason ?? code;
    this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * An INVALID_ARGUMENT error listing every violation, one per line after a summary line.
   * `reason` is google.rpc.ErrorInfo's reason: INVALID_PLAN_REQUEST unless the caller says otherwise
   * (the standing planner's calls use INVALID_REQUEST).
   */
  static invalid(violations: FieldViolation[], what = 'plan request', reason = 'INVALID_PLAN_REQUEST'): CoschedError {
    const lines = violations.map((v) => `  ${v.field}: ${v.description}`);
    return new CoschedError(
      'INVALID_ARGUMENT',
      `invalid ${what}: ${violations.length} bad field${violations.length === 1 ? '' : 's'}\n${lines.join('\n')}`,
      { violations, reason },
    );
  }
}
