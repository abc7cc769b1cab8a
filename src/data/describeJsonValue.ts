const maxStringChars = 40;

/**
 * Describes a received value for a violation message, the "got ..." half: strings are quoted
 * (and shortened past 40 characters), numbers print as JavaScript does (`NaN`, `-Infinity`),
 * `undefined` is "nothing", lists are summarised by length and objects by kind, so a message
 * never dumps a whole 8,760-value array.
 */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > maxStringChars ? `${value.slice(0, maxStringChars)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    return value.length === 0 ? 'an empty list' : `a list of ${value.length} value${value.length === 1 ? '' : 's'}`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `a Date ${value.toISOString()}`;
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
