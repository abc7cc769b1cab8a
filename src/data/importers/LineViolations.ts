import { CoschedError, type FieldViolation } from '../../../solver/errors/CoschedError.js';
import { plural } from './parseCells.js';

/** At most this many violations of one file are listed; the rest are counted. */
export const maxListedViolations = 50;

/**
 * Collects the violations of one import so every bad line is reported, not only the first; keeps
 * the first 50 and counts the rest, so a broken 8,760-line file does not flood the message.
 */
export class LineViolations {
  private readonly listed: FieldViolation[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  add(field: string, description: string): void {
    if (this.listed.length < maxListedViolations) this.listed.push({ field, description });
    this.total++;
  }

  /** Throws INVALID_ARGUMENT listing the violations; call after adding at least one. */
  fail(what: string): never {
    this.throwIfAny(what);
    throw new Error(`LineViolations.fail(${what}) called with no violation`);
  }

  /** Throws INVALID_ARGUMENT (`invalid ${what}: ...`) listing the violations, if there are any. */
  throwIfAny(what: string): void {
    if (this.total === 0) return;
    const violations = [...this.listed];
    const hidden = this.total - this.listed.length;
    if (hidden > 0) {
      violations.push({ field: 'file', description: `... and ${plural(hidden, 'more problem')} (${plural(this.total, 'problem')} in all; only the first ${maxListedViolations} are listed)` });
    }
    throw CoschedError.invalid(violations, what);
  }
}

/** Throws INVALID_ARGUMENT with one violation. */
export function invalid(field: string, description: string, what: string): never {
  throw CoschedError.invalid([{ field, description }], what);
}
