import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';

/** google.rpc.ErrorInfo reason of every what-if input error. */
export const invalidVariantReason = 'INVALID_VARIANT';

/**
 * An INVALID_ARGUMENT CoschedError listing every violation, in the same layout as
 * CoschedError.invalid (`invalid WHAT: N bad fields`, then `  field: description` lines), with
 * reason INVALID_VARIANT.
 */
export function invalidVariantError(violations: FieldViolation[], what: string): CoschedError {
  const lines = violations.map((v) => `  ${v.field}: ${v.description}`);
  const count = `${violations.length} bad field${violations.length === 1 ? '' : 's'}`;
  return new CoschedError('INVALID_ARGUMENT', `invalid ${what}: ${count}\n${lines.join('\n')}`, { violations, reason: invalidVariantReason });
}
