import { expect } from 'vitest';
import { CoschedError } from '../../solver/errors/CoschedError.js';

/**
 * Runs `action`, expects it to throw an INVALID_ARGUMENT CoschedError whose message contains every
 * fragment (each a line number / field and the value received, typically), and returns the error.
 */
export function expectInvalid(action: () => unknown, ...fragments: string[]): CoschedError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an error').toBeInstanceOf(CoschedError);
  const error = thrown as CoschedError;
  expect(error.code).toBe('INVALID_ARGUMENT');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

/** The description of the violation on `field`, failing when there is none. */
export function violationOn(error: CoschedError, field: string): string {
  const violation = error.violations.find((v) => v.field === field);
  expect(violation, `a violation on ${field} in:\n${error.message}`).toBeDefined();
  return violation?.description ?? '';
}
